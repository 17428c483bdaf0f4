/**
 * A progress bar on stderr (cli-progress) that appears only for runs longer than about a
 * second, only on a terminal, and never with `--quiet`.
 *
 * @module
 */
import cliProgress from 'cli-progress';

/** Milliseconds before the bar appears. */
const DELAY_MS = 800;

/** A lazily shown progress bar: call `update(done)` often; it starts drawing after ~1 s. */
export class LazyProgress {
  private bar: cliProgress.SingleBar | undefined;
  private readonly started = Date.now();

  constructor(
    private readonly stream: NodeJS.WritableStream | undefined,
    private readonly total: number,
    private readonly label: string,
  ) {}

  update(done: number): void {
    if (this.stream === undefined) return;
    if (this.bar === undefined) {
      if (Date.now() - this.started < DELAY_MS) return;
      this.bar = new cliProgress.SingleBar(
        {
          stream: this.stream,
          format: `${this.label} [{bar}] {percentage}% | {value}/{total} | eta {eta}s`,
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(this.total, done);
      return;
    }
    this.bar.update(done);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
