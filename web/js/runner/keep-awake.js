//! Spin, then sleep: keeps a thread awake for a moment after it messages the other side of a
//! script run (the page after each message to the worker, the worker after each batch that
//! awaits an answer), so that the reply finds it running.
//!
//! An awaited command in a learner's script is one round trip between the worker and the page.
//! A thread that went to sleep in between must be woken by the other's message, and on a virtual
//! machine, or a laptop saving power, the wake-ups are most of the round trip: in headless
//! Chromium on the 2-core build VM a bare ping-pong took a median of 108 µs per round trip, 62 µs
//! with the page kept awake, 37 µs with both sides kept awake (1 ms after each message, 5,000
//! round trips, six runs of each, alternating). So after each message the thread posts itself
//! tasks that do nothing but post the next one, until `windowMs` has passed without another
//! message: a script that keeps sending commands finds both sides awake, and one that waits for
//! anything longer (a timer, its subscribers) costs at most `windowMs` of a busy thread.
//!
//! The tasks go through `scheduler.postTask` at background priority where the browser has it
//! (Chromium, Firefox): everything else the thread has to do (rendering, input, messages,
//! timers) runs first. Elsewhere the page falls back to a `MessageChannel` (its tasks still
//! leave rendering and input their turns), and the worker does not spin: in Chromium a worker
//! posting itself through a `MessageChannel` held back the page's messages for about 0.5 ms.

/** How long a thread stays awake after its last message, in milliseconds. */
export const KEEP_AWAKE_MS = 1;

// Taken when the module loads: the script worker makes `performance.now()` follow the virtual
// clock afterwards, which jumps.
const now = performance.now.bind(performance);
const scheduler = globalThis.scheduler;
const postBackgroundTask =
  scheduler && typeof scheduler.postTask === 'function'
    ? (task) => scheduler.postTask(task, { priority: 'background' })
    : null;

export class KeepAwake {
  /**
   * `windowMs`: how long to stay awake after the last `extend()` (0: never);
   * `channelFallback`: spin through a `MessageChannel` where `scheduler.postTask` is missing.
   */
  constructor({ windowMs = KEEP_AWAKE_MS, channelFallback = false } = {}) {
    this.until = 0;
    this.spinning = false;
    this.spinBound = () => this.spin();
    this.post = postBackgroundTask;
    if (this.post === null && channelFallback && typeof MessageChannel === 'function') {
      const channel = new MessageChannel();
      channel.port1.onmessage = this.spinBound;
      // In Node (tests), a port must not keep the process alive.
      if (typeof channel.port1.unref === 'function') channel.port1.unref();
      this.post = () => channel.port2.postMessage(null);
    }
    this.windowMs = this.post === null ? 0 : windowMs;
  }

  /** The thread just messaged the other side: stay awake until `windowMs` from now. */
  extend() {
    if (this.windowMs <= 0) return;
    this.until = now() + this.windowMs;
    if (this.spinning) return;
    this.spinning = true;
    this.post(this.spinBound);
  }

  spin() {
    if (now() < this.until) this.post(this.spinBound);
    else this.spinning = false;
  }
}
