import { realpathSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { FieldgraphError } from '../../core/errors';

/** Why an open serial link ended. */
export interface SerialCloseInfo {
  /** True when the port went away under us (unplugged, socat pair closed), not closed by us. */
  readonly unplugged: boolean;
  readonly message: string;
}

/** An open serial port, byte-oriented, that does not reset the board it talks to. */
export interface SerialLink {
  readonly path: string;
  readonly baudRate: number;
  readonly isOpen: boolean;
  /** Writes the bytes in ONE write call, as Improv receivers need: ESPHome drops a
   * frame that pauses for 100 ms, WLED one that idles for about 25 ms in total. */
  write(bytes: Uint8Array | string): Promise<void>;
  onData(listener: (bytes: Uint8Array) => void): () => void;
  onClose(listener: (info: SerialCloseInfo) => void): () => void;
  /** Closes the port and releases it for other runs; safe to call twice. */
  close(): Promise<void>;
}

/** Options for opening a port. */
export interface SerialOpenOptions {
  /** Default 115200 (ESPHome, WLED and Tasmota consoles). */
  readonly baudRate?: number;
}

/** Baud rates offered in the console panel and accepted by the CLI. */
export const serialBaudRates = [9600, 19200, 38400, 57600, 74880, 115200, 230400, 460800, 921600] as const;

// Ports open in this process. The OS lock (serialport's `lock: true`) catches other programs;
// this set catches a second run in the same app before it touches the port at all.
const inUse = new Set<string>();

const portKey = (path: string): string => {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
};

/** True when a port at this path is open in this process (console or commissioning run). */
export const isSerialPortInUse = (path: string): boolean => inUse.has(portKey(path));

const openError = (path: string, error: NodeJS.ErrnoException): FieldgraphError => {
  const text = error.message || String(error);
  if (/ENOENT|No such file/i.test(text))
    return new FieldgraphError('serial.open_failed', `No serial port at ${path}: is the device plugged in?`, {
      path,
    });
  if (/EACCES|Permission denied/i.test(text))
    return new FieldgraphError(
      'serial.open_failed',
      `Permission denied opening ${path}: add your user to the "dialout" group (Linux) and log in again.`,
      { path },
    );
  if (/lock|EBUSY|resource temporarily unavailable/i.test(text))
    return new FieldgraphError(
      'serial.port_busy',
      `${path} is in use by another program (a serial monitor or flasher?): close it and try again.`,
      { path },
    );
  return new FieldgraphError('serial.open_failed', `Could not open ${path}: ${text}`, { path });
};

/**
 * Opens a serial port without resetting the board: HUPCL off and DTR/RTS released right after
 * open, because ESP boards wire DTR/RTS to EN/GPIO0 (asserted, they hold the chip in reset or
 * in its bootloader). Throws
 * `serial.port_busy` when this process already has the port open, `serial.open_failed` with
 * the fix when the OS refuses.
 */
export const openSerialLink = async (path: string, options: SerialOpenOptions = {}): Promise<SerialLink> => {
  const baudRate = options.baudRate ?? 115200;
  if (!Number.isInteger(baudRate) || baudRate < 300 || baudRate > 4_000_000)
    throw new FieldgraphError('serial.open_failed', `${baudRate} is not a usable baud rate; try 115200.`, {
      path,
    });
  const key = portKey(path);
  if (inUse.has(key))
    throw new FieldgraphError(
      'serial.port_busy',
      `${path} is already open in Fieldgraph (another commissioning run or the serial console): wait for it or close it.`,
      { path },
    );
  inUse.add(key);
  const port = new SerialPort({ path, baudRate, autoOpen: false, hupcl: false, lock: true });
  try {
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  } catch (error) {
    inUse.delete(key);
    throw openError(path, error as NodeJS.ErrnoException);
  }
  // Pseudo-terminals and some drivers reject modem-line ioctls; the port still works.
  await new Promise<void>((resolve) => port.set({ dtr: false, rts: false }, () => resolve()));

  const dataListeners = new Set<(bytes: Uint8Array) => void>();
  const closeListeners = new Set<(info: SerialCloseInfo) => void>();
  let closedInfo: SerialCloseInfo | undefined;
  let closing = false;
  port.on('data', (chunk: Buffer) => {
    const bytes = new Uint8Array(chunk);
    for (const listener of [...dataListeners]) listener(bytes);
  });
  // A read error on a vanished pty arrives as 'error' before (or instead of) 'close'.
  port.on('error', () => {});
  port.on('close', (error?: Error & { disconnected?: boolean }) => {
    inUse.delete(key);
    closedInfo = {
      unplugged: !closing,
      message: closing
        ? `${path} closed`
        : `${path} disconnected${error?.message ? `: ${error.message}` : ''}`,
    };
    for (const listener of [...closeListeners]) listener(closedInfo);
  });

  return {
    path,
    baudRate,
    get isOpen() {
      return port.isOpen;
    },
    write(bytes) {
      if (!port.isOpen)
        return Promise.reject(
          new FieldgraphError('serial.disconnected', `${path} is not open (unplugged?)`, { path }),
        );
      const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
      return new Promise((resolve, reject) => {
        port.write(buffer, (error) =>
          error
            ? reject(
                new FieldgraphError('serial.disconnected', `Writing to ${path} failed: ${error.message}`, {
                  path,
                }),
              )
            : resolve(),
        );
        port.drain(() => {});
      });
    },
    onData(listener) {
      dataListeners.add(listener);
      return () => dataListeners.delete(listener);
    },
    onClose(listener) {
      if (closedInfo) queueMicrotask(() => listener(closedInfo as SerialCloseInfo));
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
    async close() {
      if (!port.isOpen) {
        inUse.delete(key);
        return;
      }
      closing = true;
      await new Promise<void>((resolve) => port.close(() => resolve()));
      inUse.delete(key);
    },
  };
};
