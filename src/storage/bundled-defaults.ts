import type { BundledFile } from './defaults-seeder';

// Vite inlines every file of defaults/ at build time, so a default added there ships without code.
const modules = import.meta.glob<string>('/defaults/*.py', { query: '?raw', import: 'default', eager: true });

export const bundledDefaults: readonly BundledFile[] = Object.entries(modules).map(([path, text]) => ({
  fileName: path.slice(path.lastIndexOf('/') + 1),
  text,
}));
