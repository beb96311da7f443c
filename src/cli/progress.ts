/**
 * Progress on stderr: a bar redrawn in place when stderr is a terminal, otherwise one line each
 * time another tenth of the work is done (logs and CI stay readable).
 */
export class Progress {
  readonly #total: number;
  readonly #label: string;
  readonly #stream: NodeJS.WriteStream;
  readonly #tty: boolean;
  #done = 0;
  #lastTenth = 0;
  #drawn = '';

  constructor(total: number, label: string, stream: NodeJS.WriteStream = process.stderr) {
    this.#total = total;
    this.#label = label;
    this.#stream = stream;
    this.#tty = stream.isTTY === true;
    if (this.#tty) this.#draw();
  }

  advance(count = 1): void {
    this.#done = Math.min(this.#total, this.#done + count);
    if (this.#tty) {
      this.#draw();
      return;
    }
    const tenth = this.#total === 0 ? 10 : Math.floor((this.#done * 10) / this.#total);
    if (tenth > this.#lastTenth) {
      this.#lastTenth = tenth;
      this.#stream.write(`${this.#label}: ${this.#percent()}% (${this.#done}/${this.#total})\n`);
    }
  }

  finish(): void {
    if (this.#tty) this.#stream.write('\n');
  }

  #percent(): number {
    return this.#total === 0 ? 100 : Math.floor((this.#done * 100) / this.#total);
  }

  #draw(): void {
    const width = 30;
    const filled = this.#total === 0 ? width : Math.round((this.#done * width) / this.#total);
    // Rows settle a batch at a time: redraw when the bar or the percentage moves, not for every row.
    const picture = `${filled}:${this.#percent()}`;
    if (picture === this.#drawn) return;
    this.#drawn = picture;
    this.#stream.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(this.#percent()).padStart(3)}% ${this.#done}/${this.#total} ${this.#label}\x1b[K`,
    );
  }
}
