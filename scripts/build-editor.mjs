// Bundles the script editor (web/editor/codemirror.js: CodeMirror 6 from node_modules) into one
// minified ES module, js/editor/codemirror.js of the page. Run by Trunk as a post_build hook
// (Trunk.toml), writing into Trunk's staging directory; or by hand with an output directory:
//   node scripts/build-editor.mjs [out-dir]
// The page imports the bundle only when the editor panel first becomes visible, so it does
// not count in the page's initial weight (scripts/dist-size.sh lists it apart).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? (process.env.TRUNK_STAGING_DIR ? join(process.env.TRUNK_STAGING_DIR, 'js', 'editor') : join(root, 'dist', 'js', 'editor'));

await build({
  entryPoints: [join(root, 'web', 'editor', 'codemirror.js')],
  outfile: join(out, 'codemirror.js'),
  bundle: true,
  format: 'esm',
  minify: true,
  target: 'es2020',
  legalComments: 'none',
  banner: {
    js: '/* The Redis Playground script editor. Bundles CodeMirror 6 and Lezer (MIT License, Marijn Haverbeke and others). */',
  },
  logLevel: 'warning',
});
