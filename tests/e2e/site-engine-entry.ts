/*
 * The Node site engine as the CLI ships it: bundled by vite.node.config.ts (Node runs neither
 * TypeScript nor the theme's `?raw` imports, which a vitest import would leave empty).
 * site-build.test.ts builds this entry and imports the bundle.
 */
export { createNodeRuntime } from '../../src/runtime/node/node-runtime';
export { SiteBuilder } from '../../src/site/build-site';
export { readProject } from '../../src/site/project';
