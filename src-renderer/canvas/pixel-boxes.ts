/**
 * Boxes of a pixel or two, written straight into a canvas's pixels.
 *
 * A stack chart zoomed out over a million samples has a box per pixel
 * column in most rows: tens of thousands a frame, in colours that change
 * from one column to the next. Drawn with a fillStyle (a string, parsed on
 * every assignment) and a fillRect each, a frame took 30-40 ms of the main
 * thread; filled as one path per colour, the rasterizer took as long. Here
 * a row of them is written as one line of pixels into an ImageData, that
 * line copied down the row's height, and the frame put on the canvas in one
 * call; wider boxes and labels are then drawn over it as usual.
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
    this.background = this.parse(background);
    this.words.fill(this.background);
  }

  /** The pixel fill() writes for CSS colour `css` at `alpha` over this frame's background. */
  pack(css: string, alpha: number): number {
    return blend(this.parse(css), this.background, alpha);
  }

  /** Sets pixels [x0, x1) of line y (clipped to the frame) to `color`, from pack(). */
  fillLine(y: number, x0: number, x1: number, color: number): void {
    if (y < 0 || y >= this.height) return;
    const row = y * this.width;
    const right = row + Math.min(this.width, x1);
    const words = this.words;
    for (let i = row + Math.max(0, x0); i < right; i++) words[i] = color;
  }

  /**
   * Copies line y over the lines after it up to `end` (clipped to the frame):
   * a row of boxes is one line of writes, then copied down its height.
   */
  repeatLine(y: number, end: number): void {
    if (y < 0 || y >= this.height) return;
    const width = this.width;
    const last = Math.min(this.height, end);
    for (let to = y + 1; to < last; to++) this.words.copyWithin(to * width, y * width, (y + 1) * width);
  }

  /** Puts the frame on the canvas, at device pixel (0, 0) whatever the context's transform. */
  put(): void {
    if (this.image !== null) this.ctx.putImageData(this.image, 0, 0);
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
