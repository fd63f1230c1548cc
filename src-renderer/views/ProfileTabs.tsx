import { useAppState } from './app-context';

/** One tab per open profile; each keeps its own selection and view state. */
export function ProfileTabs() {
  const tabs = useAppState((state) => state.tabs);
  const activeTabId = useAppState((state) => state.activeTabId);
  const tabActivated = useAppState((state) => state.tabActivated);
  const tabClosed = useAppState((state) => state.tabClosed);
  if (tabs.length === 0) return null;
  return (
    <div className="profile-tabs" role="tablist" aria-label="Open profiles">
      {tabs.map((tab) => {
        const active = tab.id === activeTabId;
        return (
          <div key={tab.id} className={active ? 'profile-tab profile-tab--active' : 'profile-tab'} data-testid="profile-tab">
            <button
              type="button"
              role="tab"
              aria-selected={active}
              className="profile-tab__name"
              title={tab.name}
              onClick={() => tabActivated(tab.id)}
            >
              {tab.name}
            </button>
            <button type="button" className="profile-tab__close" aria-label={`Close ${tab.name}`} onClick={() => tabClosed(tab.id)}>
              ×
            </button>
          </div>
        );
      })}
    </div>
  );
}
