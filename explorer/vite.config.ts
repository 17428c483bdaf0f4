/**
 * Vite configuration of the explorer (a static site in explorer/dist).
 *
 * `npm run explorer:build` builds it, `npm run explorer` serves it. The build fails if the
 * page or its worker imports a Node built-in: the library's core must run in the browser
 * as it is, without polyfills.
 */
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const nodeBuiltins = new Set(builtinModules);

/** Fails the build on any import of a Node built-in (`node:fs`, `path`, …). */
function noNodeBuiltins(): Plugin {
  return {
    name: 'exact-dln:no-node-builtins',
    enforce: 'pre',
    resolveId(source, importer) {
      const bare = source.startsWith('node:') ? source.slice(5) : source;
      if (source.startsWith('node:') || nodeBuiltins.has(bare.split('/')[0])) {
        this.error(
          `${importer ?? 'an entry'} imports the Node built-in "${source}": the explorer (and the library core it uses) must run in the browser without polyfills.`,
        );
      }
      return null;
    },
  };
}

export default defineConfig({
  root,
  base: './',
  plugins: [noNodeBuiltins()],
  worker: { format: 'es', plugins: () => [noNodeBuiltins()] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
  server: { fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
  preview: { host: '127.0.0.1', port: 4173, open: false },
});
