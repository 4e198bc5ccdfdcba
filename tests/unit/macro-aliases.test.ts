import { describe, expect, it } from 'vitest';
import { withMacroAliases } from '../../src/core/macro-aliases';

describe('macro aliases', () => {
  it('send photo_album to photo_archive', () => {
    expect(withMacroAliases(new Map([['photo_archive', 'archive script']])).get('photo_album')).toBe(
      'archive script',
    );
  });

  it('leave a script of the alias’s own name, and an alias without its target, alone', () => {
    const own = withMacroAliases(
      new Map([
        ['photo_archive', 'archive script'],
        ['photo_album', 'album script'],
      ]),
    );
    expect(own.get('photo_album')).toBe('album script');
    expect(withMacroAliases(new Map<string, string>()).has('photo_album')).toBe(false);
  });
});
