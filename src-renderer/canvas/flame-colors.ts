/**
 * Box colours for the flame graph. A colour must not change when the user
 * zooms, filters or reopens the file, so it comes from a hash of the names,
 * never from a box's position:
 *   - the hue mostly from the library (functions of one library read as one
 *     band), or from the function name when the format names no library,
 *   - the lightness and saturation from the function name (neighbours differ).
 * Native and interpreted code take the warm range (red to amber); kernel
 * frames a cool blue and JIT frames a green, so those stand out at a glance.
 */

import { FuncKind, stringAt, type IndexIntoFuncTable, type Profile } from '../../src-shared/profile/model';

export type ColorScheme = 'light' | 'dark';

/**
 * FNV-1a, then a final avalanche (MurmurHash3's fmix32) so that names which
 * differ only in their last letters still land far apart in every bit range.
 */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

interface HueRange {
  from: number;
  span: number;
}

const hueByKind: Record<FuncKind, HueRange> = {
  [FuncKind.native]: { from: 2, span: 50 },
  [FuncKind.interpreted]: { from: 10, span: 44 },
  [FuncKind.kernel]: { from: 200, span: 24 },
  [FuncKind.jit]: { from: 90, span: 36 },
};

export interface BoxColor {
  fill: string;
  /** Dark or light, whichever reads better on the fill. */
  text: string;
}

export const DARK_LABEL = '#1b130c';
export const LIGHT_LABEL = '#ffffff';

/** WCAG relative luminance of an HSL colour (h in degrees, s and l in [0, 1]). */
export function luminanceOfHsl(h: number, s: number, l: number): number {
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number) => {
    const k = (n + h / 30) % 12;
    const value = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(8) + 0.0722 * channel(4);
}

const DARK_LABEL_LUMINANCE = 0.008;
/**
 * Boxes with a luminance between these give neither label a WCAG AA contrast
 * (4.5:1); the palette moves its lightness out of that band.
 */
const WHITE_LABEL_MAX = 1.05 / 4.5 - 0.05;
const DARK_LABEL_MIN = 4.5 * (DARK_LABEL_LUMINANCE + 0.05) - 0.05;

/** The label colour with the higher contrast against the box. */
function labelFor(luminance: number): string {
  const onWhite = 1.05 / (luminance + 0.05);
  const onDark = (luminance + 0.05) / (DARK_LABEL_LUMINANCE + 0.05);
  return onDark >= onWhite ? DARK_LABEL : LIGHT_LABEL;
}

/** A stable colour for a function from its name, library and kind, with a readable label colour. */
export function functionColor(name: string, library: string, kind: FuncKind, scheme: ColorScheme): BoxColor {
  const range = hueByKind[kind] ?? hueByKind[FuncKind.native];
  const nameHash = hashString(name);
  const nameShare = (nameHash % 1000) / 1000;
  const hue =
    library === ''
      ? range.from + nameShare * range.span
      : range.from + ((hashString(library) % 1000) / 1000) * range.span * 0.75 + nameShare * range.span * 0.25;
  const saturation = 72 + ((nameHash >>> 10) % 17);
  let lightness = scheme === 'light' ? 58 + ((nameHash >>> 20) % 10) : 34 + ((nameHash >>> 20) % 9);
  // Out of the band where no label reads well: lighter in the light theme, darker in the dark one.
  let luminance = luminanceOfHsl(hue, saturation / 100, lightness / 100);
  while (luminance > WHITE_LABEL_MAX && luminance < DARK_LABEL_MIN) {
    lightness += scheme === 'light' ? 1 : -1;
    luminance = luminanceOfHsl(hue, saturation / 100, lightness / 100);
  }
  return {
    fill: `hsl(${hue.toFixed(1)} ${saturation}% ${lightness}%)`,
    text: labelFor(luminance),
  };
}

export interface Palette {
  /** Per function (IndexIntoFuncTable). */
  fills: string[];
  labels: string[];
}

/** Every function's colours for one profile, computed once per profile and scheme. */
export function paletteForProfile(profile: Profile, scheme: ColorScheme): Palette {
  const { funcs } = profile;
  const fills: string[] = new Array(funcs.length);
  const labels: string[] = new Array(funcs.length);
  for (let f: IndexIntoFuncTable = 0; f < funcs.length; f++) {
    const color = functionColor(
      stringAt(profile, funcs.name[f]),
      stringAt(profile, funcs.library[f]),
      funcs.kind[f] as FuncKind,
      scheme,
    );
    fills[f] = color.fill;
    labels[f] = color.text;
  }
  return { fills, labels };
}

/**
 * Colours by self cost ("heat"): the function with the most self weight is
 * deep red, cooler ones shade through orange to a pale yellow, and
 * functions with no self weight (only callers) are a quiet grey, so where
 * time is really spent stands out whatever the library.
 */
export function heatPalette(self: Float64Array, scheme: ColorScheme): Palette {
  let max = 0;
  for (let f = 0; f < self.length; f++) if (self[f] > max) max = self[f];
  const fills: string[] = new Array(self.length);
  const labels: string[] = new Array(self.length);
  for (let f = 0; f < self.length; f++) {
    if (!(self[f] > 0) || max === 0) {
      fills[f] = scheme === 'light' ? 'hsl(30 8% 86%)' : 'hsl(30 6% 30%)';
      labels[f] = scheme === 'light' ? DARK_LABEL : LIGHT_LABEL;
      continue;
    }
    // Square root: a function with a quarter of the top self cost still reads as half as hot.
    const heat = Math.sqrt(self[f] / max);
    const hue = 52 - 48 * heat;
    const saturation = 72 + 14 * heat;
    const lightness = scheme === 'light' ? 82 - 30 * heat : 36 + 8 * heat;
    fills[f] = `hsl(${hue.toFixed(1)} ${saturation.toFixed(0)}% ${lightness.toFixed(0)}%)`;
    labels[f] = labelFor(luminanceOfHsl(hue, saturation / 100, lightness / 100));
  }
  return { fills, labels };
}
