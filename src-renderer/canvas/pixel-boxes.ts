/**
 * Boxes of a pixel or two, written straight into a canvas's pixels.
 *
 * A stack chart zoomed out over a million samples has a box per pixel
 * column in most rows: tens of thousands a frame, in colours that change
 * from one column to the next. Drawn with a fillStyle (a string, parsed on
 * every assignment) and a fillRect each, a frame took 30-40 ms of the main
 * thread; filled as one path per colour, the rasterizer took as long. Here
 * they cost a few word writes each into one ImageData, put on the canvas in
 * one call; wider boxes and labels are then drawn over it as usual.
 *
 * putImageData replaces pixels rather than blending, so the frame starts
 * from the background here, and a translucent box is blended with it in
 * advance: these boxes lie on the background, never on each other.
 */

export class PixelBoxes {
  private image: ImageData | null = null;
  private words = new Uint32Array(0);
  private width = 0;
  private height = 0;
  /** Packed pixel (RGBA bytes in memory order) per alpha, per CSS colour. */
  private readonly packed = new Map<number, Map<string, number>>();
  private backgroundCss = '';
  private background = 0;

  constructor(private readonly ctx: CanvasRenderingContext2D) {}

  /** Starts a frame of width × height device pixels, all `background` (a CSS colour). */
  begin(width: number, height: number, background: string): void {
    if (this.image === null || this.width !== width || this.height !== height) {
      this.image = this.ctx.createImageData(width, height);
      this.words = new Uint32Array(this.image.data.buffer);
      this.width = width;
      this.height = height;
    }
    if (background !== this.backgroundCss) {
      this.backgroundCss = background;
      this.background = this.parse(background);
      this.packed.clear();
    }
    this.words.fill(this.background);
  }

  /** Fills device pixels [x0, x1) × [y0, y1), clipped to the frame, with `fill` at `alpha` over the background. */
  fill(x0: number, y0: number, x1: number, y1: number, fill: string, alpha: number): void {
    const color = this.color(fill, alpha);
    const width = this.width;
    const left = Math.max(0, x0);
    const right = Math.min(width, x1);
    const bottom = Math.min(this.height, y1);
    const words = this.words;
    for (let y = Math.max(0, y0); y < bottom; y++) {
      const row = y * width;
      for (let i = row + left; i < row + right; i++) words[i] = color;
    }
  }

  /** Puts the frame on the canvas, at device pixel (0, 0) whatever the context's transform. */
  put(): void {
    if (this.image !== null) this.ctx.putImageData(this.image, 0, 0);
  }

  private color(fill: string, alpha: number): number {
    let byColor = this.packed.get(alpha);
    if (byColor === undefined) this.packed.set(alpha, (byColor = new Map()));
    let color = byColor.get(fill);
    if (color === undefined) {
      color = blend(this.parse(fill), this.background, alpha);
      byColor.set(fill, color);
    }
    return color;
  }

  /**
   * A CSS colour as a packed opaque pixel, through the context's own parser:
   * it reads back as "#rrggbb" (or "rgba(r, g, b, a)" when translucent, whose
   * alpha is dropped: boxes are opaque colours). The caller sets fillStyle
   * before its next fill anyway.
   */
  private parse(css: string): number {
    this.ctx.fillStyle = '#000000';
    this.ctx.fillStyle = css;
    const normal = String(this.ctx.fillStyle);
    let r = 0;
    let g = 0;
    let b = 0;
    if (/^#[0-9a-f]{6}$/i.test(normal)) {
      r = parseInt(normal.slice(1, 3), 16);
      g = parseInt(normal.slice(3, 5), 16);
      b = parseInt(normal.slice(5, 7), 16);
    } else {
      const channels = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(normal);
      if (channels) [r, g, b] = [Number(channels[1]), Number(channels[2]), Number(channels[3])];
    }
    return pack(r, g, b);
  }
}

/** RGBA bytes in memory order as one little-endian word (what every browser platform is). */
function pack(r: number, g: number, b: number): number {
  return ((0xff << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

function blend(color: number, background: number, alpha: number): number {
  if (alpha >= 1) return color;
  const mix = (shift: number) => Math.round(((color >>> shift) & 0xff) * alpha + ((background >>> shift) & 0xff) * (1 - alpha));
  return pack(mix(0), mix(8), mix(16));
}
