import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import App from './App';
import './style.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

// `npm run dev` with ?demo runs the UI on an in-memory backend (src/dev);
// production builds drop this branch and the demo code with it.
if (import.meta.env.DEV) {
  const demo = new URLSearchParams(location.search).get('demo');
  if (demo !== null) {
    const { installDemo } = await import('./dev/demo');
    installDemo(Number(demo) || 60);
  }
}

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
