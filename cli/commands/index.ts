import type { Command } from '../command';

/**
 * Every subcommand, in the order `--help` lists them. Add new commands here. Each module is
 * imported only when its command runs (the build splits them into chunks), so `fieldgraph
 * gateway` on a site box never loads the web server, discovery, packing or the Node-RED importer,
 * nor the libraries they bring; it idled about 25 MB larger when every command was loaded.
 */
export const commands: ReadonlyArray<{ readonly name: string; load(): Promise<Command> }> = [
  { name: 'web', load: async () => (await import('./web')).webCommand },
  { name: 'gateway', load: async () => (await import('./gateway')).gatewayCommand },
  { name: 'gateways', load: async () => (await import('./gateways')).gatewaysCommand },
  { name: 'traces', load: async () => (await import('./traces')).tracesCommand },
  { name: 'keys', load: async () => (await import('./keys')).keysCommand },
  { name: 'pack', load: async () => (await import('./pack')).packCommand },
  { name: 'verify', load: async () => (await import('./verify')).verifyCommand },
  { name: 'deploy', load: async () => (await import('./deploy')).deployCommand },
  { name: 'discover', load: async () => (await import('./discover')).discoverCommand },
  { name: 'sim', load: async () => (await import('./sim')).simCommand },
  { name: 'commission', load: async () => (await import('./commission')).commissionCommand },
  { name: 'library', load: async () => (await import('./library')).libraryCommand },
  { name: 'td', load: async () => (await import('./td')).tdCommand },
  { name: 'nodered', load: async () => (await import('./nodered')).noderedCommand },
  { name: 'validate', load: async () => (await import('./validate')).validateCommand },
];
