import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';

// StrictMode: in development React mounts, unmounts and mounts again every effect and ref; the
// element must still make one session request per start.
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
