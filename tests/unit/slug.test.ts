import { describe, expect, it } from 'vitest';
import { slugify, uniqueSlug } from '../../src/core/slug';

describe('slugify', () => {
  it('lower-cases and folds runs of other characters into one underscore', () => {
    expect(slugify('Hello, World!  Again', 'script')).toBe('hello_world_again');
  });

  it('keeps digits and underscores and trims underscores at the ends', () => {
    expect(slugify('__Word_Count 2__', 'script')).toBe('word_count_2');
  });

  it.each(['', '   ', '日本語', '🐍🐍', '___', '---'])(
    'falls back for %j, which has nothing slug-worthy',
    (title) => {
      expect(slugify(title, 'script')).toBe('script');
      expect(slugify(title, 'post')).toBe('post');
    },
  );

  it('transliterates accented letters instead of dropping them', () => {
    expect(slugify('Café Crème', 'script')).toBe('cafe_creme');
    expect(slugify('émoji', 'post')).toBe('emoji');
    expect(slugify('Straße, Æsir, Łódź, ﬁne', 'post')).toBe('strasse_aesir_lodz_fine');
  });
});

describe('uniqueSlug', () => {
  it('returns the slug itself when it is free', () => {
    expect(uniqueSlug('hello', new Set(['other']))).toBe('hello');
  });

  it('counts up from _2 to the first free suffix', () => {
    expect(uniqueSlug('hello', new Set(['hello']))).toBe('hello_2');
    expect(uniqueSlug('hello', new Set(['hello', 'hello_2']))).toBe('hello_3');
    expect(uniqueSlug('hello', new Set(['hello', 'hello_3']))).toBe('hello_2');
  });
});
