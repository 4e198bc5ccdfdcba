import { describe, expect, it } from 'vitest';
import { callAt, innermostOpenCall, macroCursor } from '../../src/core/macro-cursor';

/** The cursor is where `|` is written. */
function at(textWithCursor: string) {
  const cursor = textWithCursor.indexOf('|');
  return macroCursor(textWithCursor.replace('|', ''), cursor);
}

describe('where the cursor stands in a macro call', () => {
  it('is typing a name after [[, and a closing call after [[/', () => {
    expect(at('Watch [[yo|')).toEqual({ kind: 'name', from: 8, typed: 'yo' });
    expect(at('Watch [[|]]')).toEqual({ kind: 'name', from: 8, typed: '' });
    expect(at('x\n[[/no|]]')).toEqual({ kind: 'closing', from: 5, typed: 'no' });
  });

  it('is at a parameter name, knowing the ones already given', () => {
    expect(at('[[youtube |]]')).toEqual({ kind: 'param', from: 10, typed: '', macro: 'youtube', given: [] });
    expect(at('[[YouTube id="a b" ti|')).toEqual({
      kind: 'param',
      from: 19,
      typed: 'ti',
      macro: 'youtube',
      given: ['id'],
    });
    expect(at('[[tag_cloud\n  width=900\n  |')).toMatchObject({ kind: 'param', given: ['width'] });
  });

  it('is in a value, quoted or not', () => {
    expect(at('[[tag_cloud orientation="mi|"]]')).toEqual({
      kind: 'value',
      from: 25,
      typed: 'mi',
      macro: 'tag_cloud',
      param: 'orientation',
      quoted: true,
    });
    expect(at('[[x a = |')).toMatchObject({ kind: 'value', typed: '', param: 'a', quoted: false });
    expect(at('[[x a="q\\"b" c=1|')).toMatchObject({ kind: 'value', typed: '1', param: 'c' });
  });

  it('is nowhere after a call has closed, after an escaped [[, or after [[ and a space', () => {
    expect(at('[[youtube id=x]] |')).toBeNull();
    expect(at('[[youtube id="x"]]|')).toBeNull();
    expect(at('\\[[yo|')).toBeNull();
    expect(at('[[ yo|')).toBeNull();
    expect(at('no call |')).toBeNull();
  });
});

describe('the innermost open paired call', () => {
  const paired = (name: string) => name !== 'youtube';

  it('skips single calls and closed pairs, and ignores escaped ones', () => {
    const text = '[[note]]\n[[details]]\n[[youtube id=x]]\n[[b]]x[[/b]]\n\\[[box]]\n';
    expect(innermostOpenCall(text, text.length, paired)).toBe('details');
    const closed = `${text}[[/details]]\n`;
    expect(innermostOpenCall(closed, closed.length, paired)).toBe('note');
    expect(innermostOpenCall('plain', 5, paired)).toBeUndefined();
  });
});

describe('the call under a position', () => {
  it('finds an opening or closing call around the position, and nothing between calls', () => {
    const text = 'a [[youtube id=x]] b [[/note]]';
    expect(callAt(text, 5)).toEqual({ name: 'youtube', from: 2, to: 18 });
    expect(callAt(text, 19)).toBeUndefined();
    expect(callAt(text, 25)).toEqual({ name: 'note', from: 21, to: 30 });
  });
});
