/**
 * Fold repeated calls into as few runs as possible: calls made while a run is going make one more run after
 * it, however many there were (a burst of push events costs two fetches, not one per event).
 * @module core/coalesce
 */

/**
 * @param {() => Promise<void>} run one pass (it handles its own errors)
 * @param {() => boolean} [stopped] true once no further pass should start (e.g. the view was left)
 * @returns {() => Promise<void>} resolves when the pass that covers this call has finished
 */
export function coalesced(run, stopped = () => false) {
  /** @type {Promise<void> | null} */
  let running = null;
  let again = false;
  return async function call() {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await run();
      } while (again && !stopped());
    })();
    try {
      await running;
    } finally {
      running = null;
    }
  };
}
