import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createEngine, type EngineClient } from './engine/client';
import { attachEngine } from './state/actions';
import './styles.css';

declare global {
  interface Window {
    /** The engine client, for scripting and the Playwright tests (the IDE builds on the same client). */
    rewind: EngineClient;
  }
}

// window.rewind is set by the App once the IDE is set up (scripts then find a settled session).
const engine = createEngine();
attachEngine(engine);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(<App engine={engine} />);
