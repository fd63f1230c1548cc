/**
 * The renderer's entry: one host client (Electron bridge or WebSocket), one
 * store, the actions that join them, and the React tree.
 */

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createProfileActions } from './actions/profile-actions';
import { downloadText, pickFilesInPage } from './actions/page-files';
import { createHostClient, pathOfDroppedFile } from './host-client';
import { createAnalysisService } from './store/analysis-service';
import { createAppStore } from './store/app-store';
import { createRecordStore } from './store/record-store';
import { createSourceService } from './store/source-service';
import { AppContext } from './views/app-context';
import { App } from './views/App';
import { RecordContext } from './views/record/record-context';
import { createAnalysisClient } from './workers/analysis-client';
import './styles/app.css';

const store = createAppStore();
const host = createHostClient({ onConnectionLost: (message) => store.getState().errorShown(message) });
const actions = createProfileActions({
  host,
  store,
  pathOfFile: pathOfDroppedFile,
  pickFiles: pickFilesInPage,
  downloadText,
});

// Recording (dialogs, live sessions, the sessions list); a finished recording opens like any file.
const record = createRecordStore({ host, openPath: actions.openPath });

// The worker is its own bundle beside app.js (scripts/build.mjs); without it the analysis runs in the window.
const analysis = createAnalysisService(store, createAnalysisClient(new URL('./analysis-worker.js', import.meta.url)));

const source = createSourceService(host, store);

const container = document.getElementById('root');
if (container === null) throw new Error('index.html has no #root element');
createRoot(container).render(
  <StrictMode>
    <AppContext value={{ store, actions, analysis, source }}>
      <RecordContext value={record}>
        <App />
      </RecordContext>
    </AppContext>
  </StrictMode>,
);
