//! The page's virtual clock: the time of the page's engine, in Unix milliseconds.
//!
//! It follows the wall clock by default, as the Node package's clock does; `pause()` freezes it,
//! `advance(ms)` and `set(ms)` move it at once (learner scripts' `sleep()` and simulated database
//! calls advance it), `resume()` follows the wall clock again from where it stands. It never goes
//! back. Whoever moves it notifies the listeners (`onChange`): the runner host brings the engine
//! to the new time (`Engine.setTime`, which expires keys and times out blocked commands) and
//! hands scripts what that produced.

export class PageClock {
  /** @param {() => number} wallNow the wall clock (injectable for tests) */
  constructor(wallNow = () => Date.now()) {
    this._wallNow = wallNow;
    this._paused = false;
    this._pausedAt = 0;
    this._offset = 0;
    this._listeners = new Set();
  }

  /** The virtual time, Unix milliseconds (an integer). */
  now() {
    return Math.floor(this._paused ? this._pausedAt : this._wallNow() + this._offset);
  }

  isPaused() {
    return this._paused;
  }

  /** Stops the clock: time moves only with `advance` and `set`. */
  pause() {
    if (this._paused) return;
    this._pausedAt = this.now();
    this._paused = true;
    this._changed();
  }

  /** Follows the wall clock again, from the current virtual time. */
  resume() {
    if (!this._paused) return;
    this._offset = this._pausedAt - this._wallNow();
    this._paused = false;
    this._changed();
  }

  /** Moves the virtual time forward by `ms` milliseconds at once. */
  advance(ms) {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw new RangeError('clock.advance(ms) needs a finite number of milliseconds, not negative');
    }
    if (ms === 0) return;
    if (this._paused) this._pausedAt += ms;
    else this._offset += ms;
    this._changed();
  }

  /** Sets the virtual time (Unix milliseconds); it cannot go back. */
  set(ms) {
    if (typeof ms !== 'number' || !Number.isFinite(ms)) {
      throw new RangeError('clock.set(ms) needs a finite number of Unix milliseconds');
    }
    const now = this.now();
    if (ms < now) throw new RangeError('the virtual clock cannot go back');
    this.advance(ms - now);
  }

  /** Calls `fn()` whenever the clock is moved, paused or resumed; returns an unsubscribe. */
  onChange(fn) {
    this._listeners.add(fn);
    return () => this._listeners.delete(fn);
  }

  _changed() {
    for (const fn of [...this._listeners]) fn();
  }
}
