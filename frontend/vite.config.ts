import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig, type ProxyOptions } from 'vite';

// The Go server that `npm run dev` proxies API calls to.
const apiTarget = process.env.SIDEKICK_API_URL ?? 'http://127.0.0.1:8080';

function sameOriginProxy(): ProxyOptions {
  return {
    target: apiTarget,
    changeOrigin: true,
    configure: (proxy) => {
      proxy.on('proxyReq', (proxyReq) => proxyReq.setHeader('Origin', apiTarget));
      proxy.on('proxyReqWs', (proxyReq) => proxyReq.setHeader('Origin', apiTarget));
    },
  };
}

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
    // The server accepts cookie-authenticated requests and websocket
    // upgrades only from its allowed origins, and the browser's origin here
    // is the dev server's, so the proxy presents the server's own origin.
    proxy: {
      '/auth': sameOriginProxy(),
      '/health': sameOriginProxy(),
      '/graphql': { ...sameOriginProxy(), ws: true },
    },
  },
});
