/**
 * Names the reference desktop app dispatches to another macro: `[[photo_album]]` runs photo_archive.
 * A script of the alias's own name wins, as any script's name does.
 */
export const macroAliases: Readonly<Record<string, string>> = { photo_album: 'photo_archive' };

/** `macros` (by lower-case name) with each alias pointing where its target does, unless taken. */
export function withMacroAliases<T>(macros: Map<string, T>): Map<string, T> {
  for (const [alias, target] of Object.entries(macroAliases)) {
    const resolved = macros.get(target);
    if (resolved !== undefined && !macros.has(alias)) macros.set(alias, resolved);
  }
  return macros;
}
