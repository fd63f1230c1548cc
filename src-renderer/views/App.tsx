/**
 * The window: toolbar, progress and error strips, then the empty state, the
 * open profile or the sites of a big memory profile still opening (with the
 * recordings list beside it), and a live recording's session panel below.
 * Files dropped anywhere on the window open. The record and attach dialogs
 * sit over all of it.
 */

import { useEffect } from 'react';
import { useActions, useAppState } from './app-context';
import { EmptyState } from './EmptyState';
import { ErrorBanner } from './ErrorBanner';
import { ProfileTabs } from './ProfileTabs';
import { ProfileView } from './ProfileView';
import { ProgressStrip } from './ProgressStrip';
import { RecordDialogs } from './record/RecordLayer';
import { RecordingsList } from './record/RecordingsList';
import { SessionPanel } from './record/SessionPanel';
import { SitesPreviewView } from './SitesPreviewView';
import { Toolbar } from './Toolbar';
import { useFileDrop } from './use-file-drop';

export function App() {
  const actions = useActions();
  const profile = useAppState((state) => state.profile);
  const profileName = useAppState((state) => state.profileName);
  const tabId = useAppState((state) => state.activeTabId);
  const sitesPreview = useAppState((state) => state.loading?.sitesPreview ?? null);
  const dragging = useFileDrop(actions.openFiles);

  useEffect(() => actions.connect(), [actions]);
  useEffect(() => {
    document.title = profile === null ? 'Heatline' : `${profileName} — Heatline`;
  }, [profile, profileName]);

  return (
    <>
      <div className={dragging ? 'app app--dragging' : 'app'}>
        <Toolbar />
        <ProgressStrip />
        <ErrorBanner />
        <ProfileTabs />
        <div className="app__work">
          {/* Keyed by tab: a tab switch mounts the views afresh on that tab's state. */}
          <main className="app__main">
            {sitesPreview !== null ? (
              // A big memory profile's sites, while its stacks are built; the new tab replaces it.
              <SitesPreviewView preview={sitesPreview} />
            ) : profile === null ? (
              <EmptyState />
            ) : (
              <ProfileView key={tabId} profile={profile} />
            )}
          </main>
          <RecordingsList />
        </div>
        <SessionPanel />
        {dragging && (
          <div className="drop-overlay" aria-hidden="true">
            {/* The empty state already says "Drop a profile here"; a second label would cover it. */}
            {profile !== null && <div className="drop-overlay__label">Drop to open</div>}
          </div>
        )}
      </div>
      {/* Outside .app: an open dialog makes the window behind it inert. */}
      <RecordDialogs />
    </>
  );
}
