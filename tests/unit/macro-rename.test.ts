import { describe, expect, it } from 'vitest';
import { renameMacroCalls } from '../../src/core/macro-rename';

describe('renaming the calls of a macro in a post', () => {
  it('renames every call, whatever its case and arguments, and nothing else', () => {
    const post = [
      '# Shout about shout',
      '',
      '[[shout text="hi"]] and [[SHOUT]] but not [[shouting]] or [[other shout]].',
      '',
      '`[[shout]]` in code and \\[[shout]] escaped stay.',
      '',
      '```',
      '[[shout]]',
      '```',
      '',
      '| a | [[shout x=1]] |',
      '| - | - |',
      '| [[shout]] | b |',
    ].join('\n');
    const { text, renamed } = renameMacroCalls(post, 'shout', 'yell');
    expect(renamed).toBe(4);
    expect(text).toBe(
      post
        .replace('[[shout text="hi"]]', '[[yell text="hi"]]')
        .replace('[[SHOUT]]', '[[yell]]')
        .replace('| a | [[shout x=1]] |', '| a | [[yell x=1]] |')
        .replace('| [[shout]] | b |', '| [[yell]] | b |'),
    );
  });

  it('renames the closing calls of paired calls too, on lines of their own or inline', () => {
    const markdown = '> [[Note]]\n> [[note]]inner[[/NOTE]]\n> [[/note]]\n\n`[[/note]]`';
    expect(renameMacroCalls(markdown, 'note', 'callout')).toEqual({
      text: '> [[callout]]\n> [[callout]]inner[[/callout]]\n> [[/callout]]\n\n`[[/note]]`',
      renamed: 2,
    });
  });

  it('leaves a post without calls as it is', () => {
    expect(renameMacroCalls('no macros here', 'shout', 'yell')).toEqual({
      text: 'no macros here',
      renamed: 0,
    });
  });
});
