/**
 * Runs tasks with at most `concurrency` in flight, fed while it runs (keys to
 * describe arrive page by page from ListKeys). When a task reports throttling
 * the pool halves its concurrency and re-queues the task after a jittered
 * delay, then grows back one slot per success: KMS quotas are shared with
 * everything else in the account, so Keyport yields instead of failing.
 */
export class ThrottleAwarePool<T> {
  private readonly queue: Array<{ item: T; attempt: number }> = [];
  private inFlight = 0;
  private limit: number;
  private closed = false;
  private failure: unknown;
  private idleResolvers: Array<() => void> = [];
  private delayed = 0;

  constructor(
    private readonly options: {
      concurrency: number;
      run: (item: T) => Promise<void>;
      isThrottle: (error: unknown) => boolean;
      maxThrottleRetries?: number;
      baseDelayMs?: number;
    },
  ) {
    this.limit = options.concurrency;
  }

  push(item: T): void {
    if (this.failure) return;
    this.queue.push({ item, attempt: 0 });
    this.pump();
  }

  /** No more items will be pushed; `drain()` resolves once every queued task has finished. */
  close(): void {
    this.closed = true;
    this.settleIfIdle();
  }

  /** Resolves when closed and idle; rejects with the first non-throttling error (remaining tasks are dropped). */
  drain(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.idleResolvers.push(() => (this.failure ? reject(this.failure) : resolve()));
      this.settleIfIdle();
    });
  }

  get currentLimit(): number {
    return this.limit;
  }

  private pump(): void {
    while (!this.failure && this.inFlight < this.limit && this.queue.length > 0) {
      const next = this.queue.shift()!;
      this.inFlight++;
      this.options
        .run(next.item)
        .then(
          () => {
            if (this.limit < this.options.concurrency) this.limit++;
          },
          (error: unknown) => this.onError(next, error),
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
          this.settleIfIdle();
        });
    }
  }

  private onError(task: { item: T; attempt: number }, error: unknown): void {
    const maxRetries = this.options.maxThrottleRetries ?? 8;
    if (this.options.isThrottle(error) && task.attempt < maxRetries) {
      this.limit = Math.max(1, Math.floor(this.limit / 2));
      const base = this.options.baseDelayMs ?? 100;
      const delay = Math.min(5_000, base * 2 ** task.attempt) * (0.5 + Math.random() / 2);
      this.delayed++;
      setTimeout(() => {
        this.delayed--;
        this.queue.push({ item: task.item, attempt: task.attempt + 1 });
        this.pump();
        this.settleIfIdle();
      }, delay);
      return;
    }
    this.failure ??= error;
    this.queue.length = 0;
  }

  private settleIfIdle(): void {
    const idle = this.inFlight === 0 && this.delayed === 0 && (this.queue.length === 0 || this.failure !== undefined);
    if (idle && (this.closed || this.failure !== undefined)) {
      const resolvers = this.idleResolvers;
      this.idleResolvers = [];
      for (const resolve of resolvers) resolve();
    }
  }
}
