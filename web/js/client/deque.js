//! A queue with O(1) push and shift (commands waiting for their replies can be thousands long
//! while a pipeline is in flight), plus the few list operations ioredis's queues use.

export class Deque {
  constructor() {
    this.items = [];
    this.head = 0;
  }

  get length() {
    return this.items.length - this.head;
  }

  push(item) {
    this.items.push(item);
  }

  shift() {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head += 1;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  unshift(item) {
    if (this.head > 0) {
      this.head -= 1;
      this.items[this.head] = item;
    } else {
      this.items.unshift(item);
    }
  }

  peekAt(i) {
    return this.items[this.head + i];
  }

  remove(i, count) {
    this.items.splice(this.head + i, count);
  }

  toArray() {
    return this.items.slice(this.head);
  }
}
