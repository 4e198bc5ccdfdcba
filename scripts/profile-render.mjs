// Profiles the render path in Node: `renderMany` of 10,000 youtube contexts against the same macro in
// plain JavaScript (bench/page/youtube.ts, the bench's baseline), with a breakdown by stage, and warm
// `renderMacro` round trips. The Python side is a real Pyodide in this process behind the render lane
// (shared memory) and a Comlink MessageChannel, as in the app; the browser's worker thread and sandbox
// frame are not (bench/ measures those in Chromium).
//
//   node scripts/profile-render.mjs [runs=7]
import { runnerImport } from 'vite';

const { module: profile } = await runnerImport('./scripts/render-profile.ts');
await profile.main(Number(process.argv[2] ?? 7));
process.exit(0);
