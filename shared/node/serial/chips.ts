/**
 * USB-serial bridge chips and boards by USB vendor:product id (hex, lowercase), so the
 * port list can say "CP2102 (ESP32 DevKit)" instead of a bare path.
 */

/** What a VID:PID pair tells about the board behind a serial port. */
export interface SerialChip {
  /** Chip or board name, e.g. `CP2102/CP2102N/CP2104`. */
  readonly chip: string;
  /** Maker of the chip, e.g. `Silicon Labs`. */
  readonly vendor: string;
  /** Native USB ports vanish and reappear when the board resets; baud is ignored. */
  readonly nativeUsb: boolean;
  /** A short hint for the installer, when there is one. */
  readonly note?: string;
}

const chip = (name: string, vendor: string, nativeUsb = false, note?: string): SerialChip => ({
  chip: name,
  vendor,
  nativeUsb,
  ...(note ? { note } : {}),
});

const byId: Record<string, SerialChip> = {
  '10c4:ea60': chip('CP2102/CP2102N/CP2104', 'Silicon Labs', false, 'most ESP32 DevKits, NodeMCU v2'),
  '10c4:ea63': chip('CP210x', 'Silicon Labs'),
  '10c4:ea70': chip('CP2105', 'Silicon Labs'),
  '10c4:ea71': chip('CP2108', 'Silicon Labs'),
  '10c4:ea7a': chip('CP210x', 'Silicon Labs'),
  '10c4:ea7b': chip('CP210x', 'Silicon Labs'),
  '1a86:7523': chip('CH340', 'WCH', false, 'no USB serial number: identical adapters are told apart by path'),
  '1a86:7522': chip('CH340K', 'WCH'),
  '1a86:5523': chip('CH341', 'WCH'),
  '1a86:55d3': chip('CH343', 'WCH'),
  '1a86:55d4': chip('CH9102', 'WCH', false, 'newer ESP32 DevKits'),
  '1a86:55d8': chip('CH9101', 'WCH'),
  '1a86:55d7': chip('CH9103', 'WCH'),
  '1a86:55df': chip('CH9104', 'WCH'),
  '0403:6001': chip('FT232R', 'FTDI'),
  '0403:6010': chip('FT2232', 'FTDI'),
  '0403:6011': chip('FT4232H', 'FTDI'),
  '0403:6014': chip('FT232H', 'FTDI'),
  '0403:6015': chip('FT-X', 'FTDI'),
  '067b:2303': chip('PL2303', 'Prolific'),
  '303a:1001': chip(
    'ESP32 USB-Serial/JTAG',
    'Espressif',
    true,
    'native USB: the port re-enumerates on reset',
  ),
  '303a:4001': chip('ESP32 TinyUSB CDC', 'Espressif', true, 'native USB: the port re-enumerates on reset'),
  '2341:0043': chip('Arduino Uno R3', 'Arduino'),
  '2341:0001': chip('Arduino Uno', 'Arduino'),
  '2a03:0043': chip('Arduino Uno R3', 'Arduino'),
  '2341:0243': chip('Arduino Uno R3', 'Arduino'),
  '2341:0042': chip('Arduino Mega 2560', 'Arduino'),
  '2341:0010': chip('Arduino Mega 2560', 'Arduino'),
  '2a03:0042': chip('Arduino Mega 2560', 'Arduino'),
  '2341:8036': chip('Arduino Leonardo', 'Arduino', true),
  '2341:0036': chip('Arduino Leonardo (bootloader)', 'Arduino', true),
  '2341:0069': chip('Arduino UNO R4 Minima', 'Arduino', true),
  '2341:1002': chip('Arduino UNO R4 WiFi', 'Arduino', true),
  '2e8a:000a': chip('Raspberry Pi Pico', 'Raspberry Pi', true),
  '2e8a:0005': chip('Raspberry Pi Pico (MicroPython)', 'Raspberry Pi', true),
};

const vendors: Record<string, string> = {
  '10c4': 'Silicon Labs',
  '1a86': 'WCH',
  '0403': 'FTDI',
  '067b': 'Prolific',
  '303a': 'Espressif',
  '2341': 'Arduino',
  '2a03': 'Arduino',
  '2e8a': 'Raspberry Pi',
};

/** Lower-case 4-digit hex, accepting `0x10C4`, `10C4` or `10c4`; undefined for anything else. */
export const normaliseUsbId = (id: string | undefined): string | undefined => {
  if (!id) return undefined;
  const hex = id.trim().toLowerCase().replace(/^0x/, '');
  return /^[0-9a-f]{1,4}$/.test(hex) ? hex.padStart(4, '0') : undefined;
};

/**
 * The chip behind a VID:PID pair, case-insensitive (Windows reports upper case, Linux and
 * macOS lower case); a known vendor with an unknown product gives `<vendor> USB serial`.
 */
export const identifySerialChip = (
  vendorId: string | undefined,
  productId: string | undefined,
): SerialChip | undefined => {
  const vid = normaliseUsbId(vendorId);
  const pid = normaliseUsbId(productId);
  if (!vid) return undefined;
  const known = pid ? byId[`${vid}:${pid}`] : undefined;
  if (known) return known;
  const vendor = vendors[vid];
  if (!vendor) return undefined;
  // Espressif's 303A range is all native USB (CDC/JTAG); other vendors' unknown PIDs are bridges.
  return chip(`${vendor} USB serial`, vendor, vid === '303a');
};
