import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleTimeout } from '../../src/agent/idle-timeout.js';

describe('IdleTimeout', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('aborts once nothing has arrived for its time', () => {
    const idle = new IdleTimeout(1_000);
    vi.advanceTimersByTime(999);
    expect(idle.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(idle.signal.aborted).toBe(true);
    expect(idle.hasFired).toBe(true);
  });

  it('starts the wait again at every touch', () => {
    const idle = new IdleTimeout(1_000);
    for (let step = 0; step < 5; step += 1) {
      vi.advanceTimersByTime(800);
      idle.touch();
    }
    expect(idle.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1_000);
    expect(idle.hasFired).toBe(true);
  });

  it('keeps one timer however often it is touched', () => {
    const idle = new IdleTimeout(1_000);
    for (let step = 0; step < 100; step += 1) idle.touch();
    expect(vi.getTimerCount()).toBe(1);
    idle.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('neither fires nor waits again after dispose, touched or not', () => {
    const idle = new IdleTimeout(1_000);
    idle.dispose();
    idle.touch();
    vi.advanceTimersByTime(5_000);
    expect(idle.hasFired).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('is not re-armed by a touch after it fired', () => {
    const idle = new IdleTimeout(1_000);
    vi.advanceTimersByTime(1_000);
    idle.touch();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('follows its parent signal, which is not a timeout', () => {
    const parent = new AbortController();
    const idle = new IdleTimeout(1_000, parent.signal);
    parent.abort(new Error('person left'));
    expect(idle.signal.aborted).toBe(true);
    expect(idle.hasFired).toBe(false);
    idle.touch();
    expect(vi.getTimerCount()).toBe(1);
    idle.dispose();
  });
});
