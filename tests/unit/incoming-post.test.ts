import { describe, expect, it } from 'vitest';
import { incomingTextLimit, readIncomingPost, withoutIncomingParams } from '../../src/core/incoming-post';
import { parseMacroDocument } from '../../src/core/markdown-macros';
import { checkTransformResult, draftFromIncoming } from '../../src/core/transform-abi';
import { bookmarkletCode } from '../../src/ui/bookmarklet';

const query = (fields: Record<string, string>) => `?${new URLSearchParams(fields)}`;

describe('an incoming post in the page address', () => {
  it('is absent from an ordinary address', () => {
    expect(readIncomingPost('')).toEqual({ kind: 'none' });
    expect(readIncomingPost('?title=x&url=https://a.example')).toEqual({ kind: 'none' });
  });

  it('comes from the share sheet unless the bookmarklet says so, trimmed', () => {
    const fields = { share_title: ' A page ', share_text: 'Quoted', share_url: 'https://a.example/p' };
    expect(readIncomingPost(query(fields))).toEqual({
      kind: 'incoming',
      incoming: { source: 'share', title: 'A page', text: 'Quoted', url: 'https://a.example/p' },
    });
    expect(readIncomingPost(query({ ...fields, via: 'bookmarklet' }))).toMatchObject({
      kind: 'incoming',
      incoming: { source: 'bookmarklet' },
    });
  });

  it('takes a text that is only an address as the URL, as mobile share sheets send links', () => {
    expect(readIncomingPost(query({ share_text: ' https://a.example/x ' }))).toMatchObject({
      incoming: { text: '', url: 'https://a.example/x' },
    });
    expect(readIncomingPost(query({ share_text: 'Great read https://a.example/x' }))).toMatchObject({
      incoming: { text: 'Great read', url: 'https://a.example/x' },
    });
    expect(readIncomingPost(query({ share_text: 'https://a.example/x is a good read' }))).toMatchObject({
      incoming: { text: 'https://a.example/x is a good read', url: '' },
    });
    expect(
      readIncomingPost(query({ share_text: 'see https://a.example/x', share_url: 'https://b.example/' })),
    ).toMatchObject({ incoming: { text: 'see https://a.example/x', url: 'https://b.example/' } });
  });

  it('is refused when nothing came in it', () => {
    expect(readIncomingPost('?share_title=&share_text=%20&share_url=')).toEqual({
      kind: 'invalid',
      problems: ['nothing was shared: no title, text or address'],
    });
  });

  it('is refused with a reason when a field is unusable', () => {
    expect(readIncomingPost(query({ share_url: 'javascript:alert(1)' }))).toEqual({
      kind: 'invalid',
      problems: ['the address is not an http or https URL'],
    });
    expect(readIncomingPost(query({ share_title: 'x'.repeat(1001) }))).toEqual({
      kind: 'invalid',
      problems: ['the title is longer than 1,000 characters'],
    });
  });

  it('takes the address as the URL parser writes it, so it stays one link', () => {
    const read = readIncomingPost(query({ share_url: 'https://a.com/x> <b>hi</b> "q"' }));
    expect(read).toEqual({
      kind: 'incoming',
      incoming: {
        source: 'share',
        title: '',
        text: '',
        url: 'https://a.com/x%3E%20%3Cb%3Ehi%3C/b%3E%20%22q%22',
      },
    });
    expect(readIncomingPost(query({ share_url: 'HTTPS://A.example' }))).toMatchObject({
      incoming: { url: 'https://a.example/' },
    });
  });

  it('carries macro calls in its text as text: saved escaped, shown as written, never run', () => {
    const text = '[[youtube id="x"]] \\[[vimeo id="1"]] \\\\[[note]]body[[/note]] [[[tag]]]';
    const read = readIncomingPost(query({ share_text: text, share_url: 'https://a.example/[[youtube]]' }));
    if (read.kind !== 'incoming') throw new Error(`expected an incoming post, got ${read.kind}`);
    const { body, source } = draftFromIncoming(read.incoming);
    expect(source.text).toBe(read.incoming.text);
    const document = parseMacroDocument(body, { takesBody: () => true });
    expect(document.calls).toEqual([]);
    expect(document.warnings).toEqual([]);
    const shown = document.render(() => '').replace(/<[^>]+>/g, '');
    expect(shown).toContain(text.replace(/"/g, '&quot;'));
  });

  it('leaves the address without its parameters once handled', () => {
    expect(withoutIncomingParams('https://app.example/?share_title=a&keep=1&via=bookmarklet#h')).toBe(
      'https://app.example/?keep=1#h',
    );
  });
});

describe('the bookmarklet', () => {
  /** Runs the bookmarklet on a page with this title, address and selection; the address it opens. */
  function runBookmarklet(page: { title: string; href: string; selection: string }): URL {
    const code = bookmarkletCode('https://app.example/pymark/?share_title=old#x');
    expect(code.startsWith('javascript:')).toBe(true);
    const opened: string[] = [];
    const run = new Function(
      'document',
      'location',
      'getSelection',
      'window',
      code.slice('javascript:'.length),
    );
    run({ title: page.title }, { href: page.href }, () => page.selection, {
      open: (url: string) => opened.push(url),
    });
    expect(opened).toHaveLength(1);
    return new URL(opened[0]!);
  }

  it('opens the app with the page title, address and selection', () => {
    const url = runBookmarklet({
      title: 'T & U',
      href: 'https://news.example/a?b=1',
      selection: 'picked text',
    });
    expect(url.origin + url.pathname).toBe('https://app.example/pymark/');
    expect(readIncomingPost(url.search)).toEqual({
      kind: 'incoming',
      incoming: {
        source: 'bookmarklet',
        title: 'T & U',
        text: 'picked text',
        url: 'https://news.example/a?b=1',
      },
    });
  });

  it('sends as much of a long selection as the app takes', () => {
    const url = runBookmarklet({
      title: 'Long',
      href: 'https://news.example/long',
      selection: 'x'.repeat(incomingTextLimit * 2),
    });
    const read = readIncomingPost(url.search);
    expect(read.kind === 'incoming' && read.incoming.text.length).toBe(incomingTextLimit);
  });
});

describe('the draft of an incoming post', () => {
  it('links the address after the text, and finds a title when none came', () => {
    expect(
      draftFromIncoming({ source: 'share', title: 'T', text: 'Body', url: 'https://a.example/' }),
    ).toEqual({
      title: 'T',
      body: 'Body\n\n<https://a.example/>',
      tags: [],
      categories: [],
      source: { kind: 'share', title: 'T', text: 'Body', url: 'https://a.example/' },
    });
    expect(draftFromIncoming({ source: 'share', title: '', text: 'First line\nmore', url: '' }).title).toBe(
      'First line',
    );
    expect(
      draftFromIncoming({ source: 'share', title: '', text: '', url: 'https://www.b.example/x' }).title,
    ).toBe('www.b.example');
    expect(draftFromIncoming({ source: 'share', title: '', text: '', url: '' }).title).toBe('Shared item');
  });

  it('keeps the draft title and lists for a bare str, and fills in missing lists', () => {
    const draft = { ...draftFromIncoming({ source: 'share', title: 'T', text: '', url: '' }), tags: ['t'] };
    expect(checkTransformResult('new body', draft, 'str')).toEqual({
      ok: true,
      post: { title: 'T', body: 'new body', tags: ['t'], categories: [] },
    });
    expect(checkTransformResult({ title: 'X', body: 'b' }, draft, 'dict')).toEqual({
      ok: true,
      post: { title: 'X', body: 'b', tags: [], categories: [] },
    });
    expect(checkTransformResult({ title: 'X' }, draft, 'dict')).toMatchObject({
      ok: false,
      problem: expect.stringContaining('body: '),
    });
    expect(checkTransformResult(['x'], draft, 'list')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/not a list$/),
    });
  });
});
