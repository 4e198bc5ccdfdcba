import { describe, expect, test } from 'vitest';
import { defaultEmbeds, parseSiteSettings } from '../../src/core/site-settings';

describe('site.yml', () => {
  test('an empty file gives the defaults', () => {
    expect(parseSiteSettings('')).toEqual({
      ok: true,
      value: {
        title: 'My blog',
        description: '',
        author: '',
        base_url: 'https://example.com/',
        language: 'en',
        posts_per_page: 10,
        embeds: [...defaultEmbeds],
      },
    });
  });

  test('reads every key; base_url gets its trailing slash', () => {
    const parsed = parseSiteSettings(
      'title: Notes\ndescription: d\nauthor: A\nbase_url: https://u.github.io/blog\nlanguage: pt-BR\nposts_per_page: 5\nembeds:\n  - https://player.example/embed/\n',
    );
    expect(parsed).toEqual({
      ok: true,
      value: {
        title: 'Notes',
        description: 'd',
        author: 'A',
        base_url: 'https://u.github.io/blog/',
        language: 'pt-BR',
        posts_per_page: 5,
        embeds: ['https://player.example/embed/'],
      },
    });
  });

  test.each([
    ['bad YAML', 'title: ok\ntitle: again\n', 2, 1, /^not valid YAML: Map keys must be unique/],
    ['not a mapping', '- a\n- b\n', 1, 1, /must be a mapping/],
    ['a wrong type', 'title: ok\nposts_per_page: 2.5\n', 2, 17, /^posts_per_page: must be a whole number$/],
    ['an unknown key', 'title: ok\n\ntheme: dark\n', 3, 8, /unknown key "theme"/],
    ['a bad URL', 'base_url: /relative/\n', 1, 11, /^base_url: must be an absolute http\(s\) URL/],
    [
      'an embed that is not https',
      'embeds:\n  - https://ok.example/e/\n  - http://x.example/e/\n',
      3,
      5,
      /^embeds\.1: must be an https URL prefix/,
    ],
    ['an empty title', 'title: "  "\n', 1, 8, /^title: must not be empty$/],
  ])('%s is a located problem', (_name, text, line, column, message) => {
    const parsed = parseSiteSettings(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problem).toEqual({ reason: expect.stringMatching(message), line, column });
  });
});
