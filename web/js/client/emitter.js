//! A small EventEmitter for hosts without Node's `events` module (a Web Worker). It has the
//! methods ioredis users call; in Node the platform layer swaps in Node's own EventEmitter.

/** An event emitter with Node's method names and semantics for the common methods. */
export function Emitter() {
  Emitter.init.call(this);
}

/** Prepares `target` to hold listeners (what `EventEmitter.call(this)` does in Node). */
Emitter.init = function init() {
  if (!this._listeners || this._listeners === Object.getPrototypeOf(this)._listeners) {
    this._listeners = new Map();
  }
};

function add(self, name, listener, prepend, once) {
  if (typeof listener !== 'function') {
    throw new TypeError('The "listener" argument must be of type function');
  }
  if (!self._listeners) Emitter.init.call(self);
  if (self._listeners.has('newListener')) self.emit('newListener', name, listener);
  const entry = { listener, once };
  const list = self._listeners.get(name);
  if (!list) self._listeners.set(name, [entry]);
  else if (prepend) list.unshift(entry);
  else list.push(entry);
  return self;
}

Emitter.prototype.on = function on(name, listener) {
  return add(this, name, listener, false, false);
};
Emitter.prototype.addListener = Emitter.prototype.on;
Emitter.prototype.prependListener = function prependListener(name, listener) {
  return add(this, name, listener, true, false);
};
Emitter.prototype.once = function once(name, listener) {
  return add(this, name, listener, false, true);
};
Emitter.prototype.prependOnceListener = function prependOnceListener(name, listener) {
  return add(this, name, listener, true, true);
};

Emitter.prototype.off = function off(name, listener) {
  const list = this._listeners && this._listeners.get(name);
  if (!list) return this;
  for (let i = list.length - 1; i >= 0; i--) {
    if (list[i].listener === listener) {
      list.splice(i, 1);
      if (list.length === 0) this._listeners.delete(name);
      if (this._listeners.has('removeListener')) this.emit('removeListener', name, listener);
      break;
    }
  }
  return this;
};
Emitter.prototype.removeListener = Emitter.prototype.off;

Emitter.prototype.removeAllListeners = function removeAllListeners(name) {
  if (!this._listeners) return this;
  if (name === undefined) this._listeners.clear();
  else this._listeners.delete(name);
  return this;
};

Emitter.prototype.emit = function emit(name, ...args) {
  const list = this._listeners && this._listeners.get(name);
  if (!list || list.length === 0) {
    if (name === 'error') {
      const err = args[0];
      throw err instanceof Error ? err : new Error(`Unhandled error. (${String(err)})`);
    }
    return false;
  }
  for (const entry of list.slice()) {
    if (entry.once) this.off(name, entry.listener);
    entry.listener.apply(this, args);
  }
  return true;
};

Emitter.prototype.listeners = function listeners(name) {
  const list = this._listeners && this._listeners.get(name);
  return list ? list.map((e) => e.listener) : [];
};
Emitter.prototype.rawListeners = Emitter.prototype.listeners;
Emitter.prototype.listenerCount = function listenerCount(name) {
  const list = this._listeners && this._listeners.get(name);
  return list ? list.length : 0;
};
Emitter.prototype.eventNames = function eventNames() {
  return this._listeners ? [...this._listeners.keys()] : [];
};
Emitter.prototype.setMaxListeners = function setMaxListeners() {
  return this;
};
Emitter.prototype.getMaxListeners = function getMaxListeners() {
  return Infinity;
};
