// Builds the console into dist/ for the global service to serve at /console/. JSX goes through
// esbuild's automatic runtime with Preact; no inline script or style is emitted, so the service's
// CSP (`script-src 'self'; style-src 'self'`) holds (docs/console.md).
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/console/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The polyfill would be inlined; every browser the console supports has modulepreload.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
