/** Message content used across tests and contracts: the limited-time offer of Kaleyra's document. */
export const KALEYRA_LTO_CONTENT = {
  kind: 'template',
  name: 'lto_template',
  language: 'en_US',
  header: { type: 'image', media: { id: '1602186516975000' } },
  body: ['Pablo', 'CARIBE25'],
  limitedTimeOffer: { expiresAt: '2026-12-31T23:59:59Z' },
  buttons: [
    { type: 'copy_code', index: 0, code: 'CARIBE25' },
    { type: 'url', index: 1, text: 'n3mtql' },
  ],
} as const;
