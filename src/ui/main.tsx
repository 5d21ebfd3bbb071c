import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createEngine, type EngineClient } from './engine/client';

declare global {
  interface Window {
    /** The engine client, for scripting and the Playwright tests (the IDE builds on the same client). */
    rewind: EngineClient;
  }
}

window.rewind = createEngine();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(<App engine={window.rewind} />);
