import type { EngineEvent } from "../types/index.js";

/** A listener of engine events. */
export type EngineListener = (event: EngineEvent) => void;

/**
 * The engine's event bus: synchronous, typed, no global state. A throwing listener never breaks a
 * request (its error is reported to `onListenerError`).
 */
export class EngineEvents {
  #listeners: EngineListener[] = [];

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  /** Subscribe; returns the unsubscribe function. */
  on(listener: EngineListener): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** True when anyone listens (lets callers skip building events). */
  get active(): boolean {
    return this.#listeners.length > 0;
  }

  emit(event: EngineEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
