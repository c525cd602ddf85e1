import { readFile, rename, writeFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { PersistedState } from "./state";

/**
 * `--state FILE`: the whole state as one JSON document, written atomically (temp file + rename) so a crash
 * mid-write never leaves a truncated file, debounced so a burst of mutations costs one write.
 */
export class StateFile {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(
    readonly path: string,
    private readonly snapshot: () => PersistedState,
    private readonly debounceMs = 200,
  ) {}

  static async load(path: string): Promise<PersistedState | undefined> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    return JSON.parse(text) as PersistedState;
  }

  markDirty(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.debounceMs);
    // A pending write must not keep a finished process alive; close() flushes explicitly.
    this.timer.unref();
  }

  /** Writes now if anything changed; resolves once the file on disk reflects the current state. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    // Serialise writes: two renames racing could leave the older snapshot on disk.
    this.writing = this.writing.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      const body = JSON.stringify(this.snapshot());
      const temp = `${this.path}.${process.pid}.tmp`;
      await mkdir(dirname(this.path), { recursive: true });
      await writeFile(temp, body, { mode: 0o600 });
      await rename(temp, this.path);
    });
    return this.writing;
  }
}
