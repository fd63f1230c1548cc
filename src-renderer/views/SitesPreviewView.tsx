/**
 * A big memory profile's allocation sites by function while the rest of it
 * is still being built (src-shared/analysis/sites-preview.ts): the same
 * table and figures the Sites view then shows, sorted as it first sorts
 * them. Nothing here can be chosen or regrouped yet (there are no stacks to
 * select or group by); the caption says what is still coming.
 */

import { useMemo } from 'react';
import type { SiteGroup } from '../../src-shared/analysis/allocation-sites';
import { previewSiteGroups, type SitesPreview } from '../../src-shared/analysis/sites-preview';
import { defaultView } from '../store/view-state';
import { formatCount } from '../format/numbers';
import { siteColumns, siteRowsToShow, SitesTable, type SiteColumnSpec } from './SitesTable';

/** A column is shown when some group knows its value, as the Sites view shows what the tool measured. */
function measuredIn(groups: readonly SiteGroup[], column: SiteColumnSpec): boolean {
  return column.id === 'label' || groups.some((group) => !Number.isNaN(group[column.id]));
}

export function SitesPreviewView({ preview }: { preview: SitesPreview }) {
  const sort = defaultView.sitesSort;
  const groups = useMemo(() => previewSiteGroups(preview), [preview]);
  const rows = useMemo(() => siteRowsToShow(groups, sort), [groups, sort]);
  const shown = useMemo(() => siteColumns.filter((column) => measuredIn(groups, column)), [groups]);
  return (
    <div className="sites sites--preview" data-testid="sites-preview">
      <div className="sites__bar">
        <span>Grouped by function</span>
        <span className="sites__caption">
          {formatCount(preview.siteCount)} {preview.siteCount === 1 ? 'site' : 'sites'} in {formatCount(rows.length)}{' '}
          {rows.length === 1 ? 'group' : 'groups'} · stacks, flame graph and call tree still loading…
        </span>
      </div>
      <SitesTable rows={rows} shown={shown} sort={sort} eventName={preview.eventName} />
    </div>
  );
}
