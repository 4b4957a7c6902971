import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The Go server that `npm run dev` proxies API calls to.
const apiTarget = process.env.SIDEKICK_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  // Must match web.Prefix in server/web: the Go binary serves the build there.
  base: '/admin/',
  plugins: [react()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  build: {
    // server/web embeds this folder; see server/web/embed.go.
    outDir: '../server/web/dist/app',
    emptyOutDir: true,
    chunkSizeWarningLimit: 900,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: {
      '/auth': { target: apiTarget, changeOrigin: true },
      '/health': { target: apiTarget, changeOrigin: true },
      '/graphql': {
        target: apiTarget,
        changeOrigin: true,
        ws: true,
        // The server accepts websocket upgrades only from its own origin, and
        // the browser's origin here is the dev server's.
        configure: (proxy) => {
          proxy.on('proxyReqWs', (proxyReq) => proxyReq.setHeader('Origin', apiTarget));
        },
      },
    },
  },
});
