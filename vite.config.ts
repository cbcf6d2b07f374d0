import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';
import { VitePWA } from 'vite-plugin-pwa';

// Threaded wasm needs SharedArrayBuffer, which browsers only grant to cross-origin isolated pages.
const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** The header's colours (white, slate-900), so the title bar matches the page; index.html's theme-color metas repeat them. */
const THEME_COLOR = { light: '#ffffff', dark: '#0f172a' };

/**
 * The service worker precaches the app shell: the page, its scripts and styles, the worker scripts and
 * onnxruntime-web's wasm, so that the app opens without a network and runs a model cached in OPFS. Workbox's
 * `generateSW` is enough: it only precaches (no runtime caching, no code of our own in the worker), and precached
 * responses keep the headers they were served with, COOP/COEP included. Model bundles are never cached here
 * (they live in OPFS): requests the precache does not list, bundle files and their ranges among them, go to the
 * network untouched.
 */
const pwa = VitePWA({
  strategies: 'generateSW',
  // The page shows "Reload to update" and swaps versions only when no answer is being written.
  registerType: 'prompt',
  injectRegister: false,
  filename: 'sw.js',
  manifestFilename: 'manifest.webmanifest',
  includeAssets: ['favicon.svg', 'icon.svg', 'apple-touch-icon-180x180.png'],
  manifest: {
    id: './',
    name: 'DepictQA Web',
    short_name: 'DepictQA',
    description: 'Image quality assessment in words, running in your browser.',
    start_url: './',
    scope: './',
    display: 'standalone',
    theme_color: THEME_COLOR.light,
    background_color: '#f8fafc',
    icons: [
      { src: 'pwa-192x192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
      { src: 'pwa-512x512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
      { src: 'maskable-512x512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
    ],
  },
  workbox: {
    // Only the build's own files (icons and the manifest are added from `includeAssets` and `manifest`): a bundle
    // copied into the site's folder is the loader's to cache, not ours.
    globPatterns: ['index.html', 'assets/*.{js,mjs,css,wasm}'],
    // onnxruntime-web's threaded wasm is about 27 MB.
    maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
    navigateFallback: 'index.html',
    // The app is one page, whatever its query; a bundle's file opened in a tab (manifest.json on the same site)
    // is not it. Workbox tests path and query together: only the path's ending counts here.
    navigateFallbackDenylist: [/^[^?]*\.(?:json|onnx|onnx_data|txt)(?:\?.*)?$/],
    cleanupOutdatedCaches: true,
    // The first visit's page is served offline at once; an update still waits for the user (skipWaiting stays off).
    clientsClaim: true,
    runtimeCaching: [],
  },
  // The dev server serves modules that change at every edit: no service worker there.
  devOptions: { enabled: false },
});

export default defineConfig({
  plugins: [react(), tailwindcss(), pwa],
  base: './',
  server: { headers: crossOriginIsolation },
  preview: { headers: crossOriginIsolation },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: { target: 'es2022' },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'tools/**/*.test.ts', 'cli/**/*.test.ts', 'converter/**/*.test.ts', 'workers/**/*.test.ts'],
    environment: 'node',
    // Two shared cores: tokenizer and model tests that take a second alone can take ten while others run.
    testTimeout: 30_000,
  },
});
