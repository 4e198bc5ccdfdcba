import type { AbiPost, MacroContext, MacroEnv } from '../../src/core/abi';

/*
 * The youtube contexts of the round-trip and batch figures. They share their env and a handful of
 * posts, as the contexts of real posts do (the batch encoder sends each shared object once).
 */

const env: MacroEnv = { preview: false, language: 'en', base_url: 'https://blog.example/' };

const posts: AbiPost[] = Array.from({ length: 100 }, (_, index) => ({
  id: `post-${index}`,
  title: `Post ${index}`,
  slug: `post_${index}`,
  status: 'published',
  tags: ['video', `tag-${index % 7}`],
  categories: [],
}));

const idAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/** A valid 11-character video id, different for every index. */
export function videoId(index: number): string {
  let id = '';
  for (let rest = index, place = 0; place < 11; place++, rest = Math.floor(rest / idAlphabet.length)) {
    id += idAlphabet[rest % idAlphabet.length];
  }
  return id;
}

export function youtubeContext(index: number): MacroContext {
  return {
    macro: 'youtube',
    params: {
      id: { type: 'str', value: videoId(index) },
      title: { type: 'str', value: `Clip ${index} <"live">` },
      start: { type: 'int', value: index % 600 },
    },
    args: [],
    env,
    post: posts[index % posts.length]!,
  };
}

export function youtubeContexts(count: number): MacroContext[] {
  return Array.from({ length: count }, (_, index) => youtubeContext(index));
}
