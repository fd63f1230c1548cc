/**
 * A first look at a memory profile's allocation sites, sent while the rest
 * of the profile is still being built: the Sites table grouped by
 * allocating function, which is what a memory profile opens on. An
 * importer makes one when it has every site's figures and leaf frame long
 * before it has the stacks (DHAT: a big file's stacks take as long as its
 * reading). The window shows it until the profile arrives.
 *
 * The groups come from the same code the Sites view runs
 * (groupAllocationSites), on a profile whose stacks are each site's leaf
 * frame alone: grouped by function, its figures and flags are the ones the
 * view shows once the whole profile is there.
 */

import type { FormatId, Profile, WeightUnit } from '../profile/model';
import { defaultShortLivedLifetime, groupAllocationSites, type SiteGroup } from './allocation-sites';

/** The figures of a site group (SiteGroup's numeric fields) that a preview carries. */
const FIGURES = ['totalBytes', 'totalBlocks', 'peakBytes', 'endBytes', 'temporary', 'lifetime', 'readsPerByte', 'writesPerByte'] as const;
type Figure = (typeof FIGURES)[number];

export interface SitesPreview {
  /** What the table's cells need of the profile's meta (units, the lifetime's clock). */
  format: FormatId;
  unit: WeightUnit;
  eventName: string | null;
  /** Allocation sites counted (the file's own, before equal stacks merge). */
  siteCount: number;
  /**
   * The groups by allocating function (SiteGrouping 'function'), in no
   * particular order, a column per field: a file can have tens of thousands
   * of allocating functions, and typed arrays travel as bytes, not as
   * objects in JSON.
   */
  labels: string[];
  figures: Record<Figure, Float64Array>;
  flags: Int32Array;
}

/** The preview of a profile whose allocation rows carry the real sites' figures and leaf frames. */
export function sitesPreviewOf(leafProfile: Profile): SitesPreview {
  const groups = groupAllocationSites(leafProfile, 'function', { shortLivedLifetime: defaultShortLivedLifetime(leafProfile) });
  const figures = Object.fromEntries(FIGURES.map((figure) => [figure, Float64Array.from(groups, (group) => group[figure])])) as Record<Figure, Float64Array>;
  return {
    format: leafProfile.meta.format,
    unit: leafProfile.meta.unit,
    eventName: leafProfile.meta.eventName ?? null,
    siteCount: leafProfile.allocations?.length ?? 0,
    labels: groups.map((group) => group.label),
    figures,
    flags: Int32Array.from(groups, (group) => group.flags),
  };
}

/** The preview's groups as the Sites table takes them. They have no stack: there is no profile yet to point into. */
export function previewSiteGroups(preview: SitesPreview): SiteGroup[] {
  const { figures } = preview;
  return preview.labels.map((label, g) => ({
    key: `p${g}`,
    label,
    stack: -1,
    siteCount: NaN,
    totalBytes: figures.totalBytes[g],
    totalBlocks: figures.totalBlocks[g],
    peakBytes: figures.peakBytes[g],
    endBytes: figures.endBytes[g],
    temporary: figures.temporary[g],
    lifetime: figures.lifetime[g],
    readsPerByte: figures.readsPerByte[g],
    writesPerByte: figures.writesPerByte[g],
    flags: preview.flags[g],
  }));
}
