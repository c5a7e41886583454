//! The page's virtual clock: the time of the page's engine, in Unix milliseconds.
//!
//! It follows the wall clock by default, as the Node package's clock does, at a speed (`setSpeed`:
//! ×1, ×10, ×60 in the page's clock bar); `pause()` freezes it,
//! `advance(ms)` and `set(ms)` move it at once (learner scripts' `sleep()` and simulated database
//! calls advance it), `resume()` follows the wall clock again from where it stands. It never goes
//! back, except through `restore()` (the page restoring its saved state, or a reset). Whoever moves it notifies the listeners (`onChange`): the runner host brings the engine
//! to the new time (`Engine.setTime`, which expires keys and times out blocked commands) and
//! hands scripts what that produced.

export class PageClock {
  /** @param {() => number} wallNow the wall clock (injectable for tests) */
  constructor(wallNow = () => Date.now()) {
    this._wallNow = wallNow;
    this._paused = false;
    this._pausedAt = 0;
    this._speed = 1;
    // While live: virtual = _base + (wall - _wallBase) * _speed.
    this._base = wallNow();
    this._wallBase = this._base;
    this._listeners = new Set();
    this._changes = 0;
  }

  /** The virtual time, Unix milliseconds (an integer). */
  now() {
    if (this._paused) return Math.floor(this._pausedAt);
    return Math.floor(this._base + (this._wallNow() - this._wallBase) * this._speed);
  }

  /** How many virtual milliseconds pass per wall millisecond while live. */
  speed() {
    return this._speed;
  }

  /** Sets the speed (a positive finite number); the time does not jump. */
  setSpeed(speed) {
    if (typeof speed !== 'number' || !Number.isFinite(speed) || speed <= 0) {
      throw new RangeError('clock.setSpeed(n) needs a positive finite number');
    }
    if (speed === this._speed) return;
    this._rebase();
    this._speed = speed;
    this._changed();
  }

  _rebase() {
    const wall = this._wallNow();
    this._base = this._base + (wall - this._wallBase) * this._speed;
    this._wallBase = wall;
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
    this._base = this._pausedAt;
    this._wallBase = this._wallNow();
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
    else this._base += ms;
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

  /**
   * Puts the clock where a saved page left it, or where a reset wants it: at `time` (Unix ms),
   * paused or following the wall clock at `speed`. Unlike `set` it may go back; only the page's
   * state restore and reset use it, as they replace the engine's state.
   */
  restore({ time, paused = false, speed = 1 }) {
    if (typeof time !== 'number' || !Number.isFinite(time)) {
      throw new RangeError('clock.restore({time}) needs a finite number of Unix milliseconds');
    }
    if (typeof speed !== 'number' || !Number.isFinite(speed) || speed <= 0) {
      throw new RangeError('clock.restore({speed}) needs a positive finite number');
    }
    this._speed = speed;
    this._paused = Boolean(paused);
    this._pausedAt = time;
    this._base = time;
    this._wallBase = this._wallNow();
    this._changed();
  }

  /** Calls `fn()` whenever the clock is moved, paused or resumed; returns an unsubscribe. */
  onChange(fn) {
    this._listeners.add(fn);
    return () => this._listeners.delete(fn);
  }

  /**
   * How many times the clock was moved, paused, resumed, sped up or restored: between two equal
   * counts it only followed the wall clock (at its speed), or stood still while paused.
   */
  changes() {
    return this._changes;
  }

  _changed() {
    this._changes++;
    for (const fn of [...this._listeners]) fn();
  }
}
