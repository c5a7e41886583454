//! The channels, patterns and shard channels a connection listens to, kept by the client so
//! that it can subscribe again after a reconnection (ioredis's `autoResubscribe`).

function setName(kind) {
  const lower = String(kind).toLowerCase();
  if (lower === 'unsubscribe') return 'subscribe';
  if (lower === 'punsubscribe') return 'psubscribe';
  if (lower === 'sunsubscribe') return 'ssubscribe';
  return lower;
}

export class SubscriptionSet {
  constructor() {
    this.set = { subscribe: {}, psubscribe: {}, ssubscribe: {} };
  }

  add(kind, channel) {
    this.set[setName(kind)][channel] = true;
  }

  del(kind, channel) {
    delete this.set[setName(kind)][channel];
  }

  channels(kind) {
    return Object.keys(this.set[setName(kind)]);
  }

  isEmpty() {
    return (
      this.channels('subscribe').length === 0 &&
      this.channels('psubscribe').length === 0 &&
      this.channels('ssubscribe').length === 0
    );
  }
}
