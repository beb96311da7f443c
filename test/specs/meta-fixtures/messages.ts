/**
 * Meta's documented template messages (WhatsApp Cloud API, "Send template messages" and the pages
 * of each template kind), a fixed set: positional and named parameters, every header kind by id
 * and by link, each button kind with a string or an integer `index`, limited-time offers,
 * carousels, authentication codes, `language.policy` and `biz_opaque_callback_data`. Values are
 * Meta's sample values where it prints them; `<PLACEHOLDER>`s are filled with values of the
 * documented type. Each is the whole message object (Kaleyra's `messaging_object`); LiveChat's
 * `template` is its `template`.
 */

const MEDIA_ID = '1602186516975000';
const to = '16505551234';

/** A template message to `to` with `components`. */
function message(name: string, components: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to,
    type: 'template',
    template: { name, language: { code: 'en_US' }, components },
    ...extra,
  };
}

const body = (...texts: string[]) => ({ type: 'body', parameters: texts.map((text) => ({ type: 'text', text })) });
const header = (parameter: unknown) => ({ type: 'header', parameters: [parameter] });

/** Each button kind Meta documents, with its parameter, and its `index` as a string and as an integer. */
function buttonMatrix(): MetaMessageFixture[] {
  const kinds: Array<[subType: string, parameter: unknown]> = [
    ['quick_reply', { type: 'payload', payload: 'PAYLOAD' }],
    ['url', { type: 'text', text: 'n3mtql' }],
    ['copy_code', { type: 'coupon_code', coupon_code: 'CARIBE25' }],
    ['flow', { type: 'action', action: { flow_token: 'FLOW_TOKEN', flow_action_data: { screen: 'WELCOME' } } }],
    ['catalog', { type: 'action', action: { thumbnail_product_retailer_id: '2lc20305pt' } }],
  ];
  return kinds.flatMap(([subType, parameter]) =>
    (['1', 1] as const).map((index) => ({
      name: `${subType} button, index ${typeof index === 'string' ? 'as a string ("1")' : 'as an integer (1)'}`,
      message: message(`${subType}_template`, [{ type: 'button', sub_type: subType, index, parameters: [parameter] }]),
    })),
  );
}

export interface MetaMessageFixture {
  name: string;
  message: Record<string, unknown>;
}

export const META_TEMPLATE_MESSAGES: MetaMessageFixture[] = [
  { name: 'no components (a template without variables)', message: message('hello_world', []) },
  { name: 'body, positional text parameters', message: message('order_confirmation', [body('Pablo', '860198-230332')]) },
  {
    name: 'body, named parameters (parameter_name)',
    message: message('order_confirmation_named', [
      {
        type: 'body',
        parameters: [
          { type: 'text', parameter_name: 'customer_name', text: 'John' },
          { type: 'text', parameter_name: 'order_id', text: '9128312831' },
        ],
      },
    ]),
  },
  {
    name: 'body, currency and date_time parameters',
    message: message('payment_due', [
      {
        type: 'body',
        parameters: [
          { type: 'currency', currency: { fallback_value: '$100.99', code: 'USD', amount_1000: 100990 } },
          { type: 'date_time', date_time: { fallback_value: 'February 25, 1977' } },
        ],
      },
    ]),
  },
  { name: 'header text parameter', message: message('seasonal_promotion', [header({ type: 'text', text: 'Summer Sale' }), body('25%')]) },
  {
    name: 'header text parameter, named',
    message: message('seasonal_promotion_named', [header({ type: 'text', parameter_name: 'sale_name', text: 'Summer Sale' })]),
  },
  { name: 'header image by id', message: message('product_launch', [header({ type: 'image', image: { id: MEDIA_ID } })]) },
  {
    name: 'header image by link',
    message: message('product_launch', [header({ type: 'image', image: { link: 'https://www.luckyshrub.com/assets/succulents.png' } })]),
  },
  { name: 'header video by id', message: message('product_video', [header({ type: 'video', video: { id: '1166846181421424' } })]) },
  {
    name: 'header video by link',
    message: message('product_video', [header({ type: 'video', video: { link: 'https://www.luckyshrub.com/assets/tour.mp4' } })]),
  },
  {
    name: 'header document by id, with filename',
    message: message('order_invoice', [header({ type: 'document', document: { id: '1376223850470843', filename: 'order_abc123.pdf' } })]),
  },
  {
    name: 'header document by link, with filename',
    message: message('order_invoice', [
      header({ type: 'document', document: { link: 'https://www.luckyshrub.com/invoices/FmOzfD9cKf.pdf', filename: 'invoice.pdf' } }),
    ]),
  },
  {
    name: 'header location (latitude and longitude as Meta prints them: strings)',
    message: message('order_delivery_update', [
      header({
        type: 'location',
        location: { latitude: '37.483307', longitude: '122.148981', name: 'Pablo Morales', address: '1 Hacker Way, Menlo Park, CA 94025' },
      }),
      body('Mark', '566701'),
    ]),
  },
  {
    name: 'header location (latitude and longitude as numbers)',
    message: message('order_delivery_update', [
      header({ type: 'location', location: { latitude: 37.44216251868683, longitude: -122.16153582049394 } }),
    ]),
  },
  {
    name: 'quick-reply buttons, index as a string',
    message: message('appointment_reminder', [
      body('Pablo'),
      { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'CONFIRM-1234' }] },
      { type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'CANCEL-1234' }] },
    ]),
  },
  {
    name: 'quick-reply button, index as an integer',
    message: message('appointment_reminder', [
      { type: 'button', sub_type: 'quick_reply', index: 0, parameters: [{ type: 'payload', payload: 'CONFIRM-1234' }] },
    ]),
  },
  {
    name: 'URL button with a dynamic suffix, index as a string',
    message: message('order_tracking', [
      { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: '9rwnB8RbYmPF5t2Mn09x4h' }] },
    ]),
  },
  {
    name: 'copy-code button (coupon template), index as an integer',
    message: message('coupon_code_fall2023_25off', [
      body('25OFF', '25%'),
      { type: 'button', sub_type: 'copy_code', index: 1, parameters: [{ type: 'coupon_code', coupon_code: '25OFF' }] },
    ]),
  },
  {
    name: 'flow button, index as a string',
    message: message('sign_up_flow', [
      {
        type: 'button',
        sub_type: 'flow',
        index: '0',
        parameters: [{ type: 'action', action: { flow_token: 'FLOW_TOKEN_1234', flow_action_data: { product_name: 'name' } } }],
      },
    ]),
  },
  {
    name: 'catalog button, sub_type as Meta prints it ("CATALOG"), index as an integer',
    message: message('intro_catalog_offer', [
      body('100', '400', '3'),
      {
        type: 'button',
        sub_type: 'CATALOG',
        index: 0,
        parameters: [{ type: 'action', action: { thumbnail_product_retailer_id: '2lc20305pt' } }],
      },
    ]),
  },
  {
    name: 'catalog button, sub_type lower-case',
    message: message('intro_catalog_offer', [
      {
        type: 'button',
        sub_type: 'catalog',
        index: '0',
        parameters: [{ type: 'action', action: { thumbnail_product_retailer_id: '2lc20305pt' } }],
      },
    ]),
  },
  {
    name: 'limited-time offer (header image, body, expiration, copy-code and URL buttons)',
    message: message('limited_time_offer_caribbean_pkg_2023', [
      header({ type: 'image', image: { link: 'https://www.luckyshrub.com/assets/lto.jpg' } }),
      body('Pablo', 'CARIBE25'),
      {
        type: 'limited_time_offer',
        parameters: [{ type: 'limited_time_offer', limited_time_offer: { expiration_time_ms: 1698764400000 } }],
      },
      { type: 'button', sub_type: 'copy_code', index: 0, parameters: [{ type: 'coupon_code', coupon_code: 'CARIBE25' }] },
      { type: 'button', sub_type: 'url', index: 1, parameters: [{ type: 'text', text: 'n3mtql' }] },
    ]),
  },
  {
    name: 'media-card carousel (two cards: image and video headers, quick-reply and URL buttons)',
    message: message('summer_carousel_promo_2023', [
      body('15OFF', '15%'),
      {
        type: 'carousel',
        cards: [
          {
            card_index: 0,
            components: [
              header({ type: 'image', image: { id: '24230790383178626' } }),
              body('10OFF', '10%'),
              { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: '59NqSd' }] },
              { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'last_chance_2023' }] },
            ],
          },
          {
            card_index: 1,
            components: [
              header({ type: 'video', video: { link: 'https://www.luckyshrub.com/assets/card2.mp4' } }),
              { type: 'button', sub_type: 'quick_reply', index: 0, parameters: [{ type: 'payload', payload: '7C4xhY' }] },
            ],
          },
        ],
      },
    ]),
  },
  {
    name: 'authentication template, copy code (body code and URL button code)',
    message: message('verification_code', [
      body('J$FpnYnP'),
      { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'J$FpnYnP' }] },
    ]),
  },
  {
    name: 'language policy "deterministic"',
    message: {
      ...message('hello_world', []),
      template: { name: 'hello_world', language: { policy: 'deterministic', code: 'en_US' }, components: [] },
    },
  },
  {
    name: 'biz_opaque_callback_data (echoed in status webhooks)',
    message: message('order_confirmation', [body('Pablo')], { biz_opaque_callback_data: '01JD0000000000000000000000' }),
  },
  ...buttonMatrix(),
  { name: 'recipient with "+" (Meta takes E.164 with its plus)', message: { ...message('hello_world', []), to: '+16505551234' } },
];

/** Messages Meta documents that the provider document rules out for Kaleyra's messaging_object, each with the rule. */
export const META_MESSAGES_KALEYRA_REFUSES: Array<MetaMessageFixture & { rule: string; field: string }> = [
  {
    name: 'recipient written with spaces, dashes and brackets (Meta: "supported in send message requests")',
    message: { ...message('hello_world', []), to: '+1 (650) 555-1234' },
    field: '/messaging_object/to',
    rule: 'Kaleyra: "The value should include country code prefix following E.164 format."',
  },
  {
    name: 'a template without components (Meta leaves them out when the template has no variables)',
    message: { ...message('hello_world', []), template: { name: 'hello_world', language: { code: 'en_US' } } },
    field: '/messaging_object/template',
    rule: 'Kaleyra\'s template table: "components | JSON object | The components in the template. | … | Yes"',
  },
  {
    name: 'a text message (Meta type "text")',
    message: { messaging_product: 'whatsapp', to, type: 'text', text: { body: 'hello' } },
    field: '/messaging_object/type',
    rule: 'Kaleyra: "Only allowed value for sending this message is \'template\'."',
  },
  {
    name: 'a group recipient (Meta recipient_type "group")',
    message: { ...message('hello_world', []), recipient_type: 'group' },
    field: '/messaging_object/recipient_type',
    rule: 'Kaleyra: "Currently, you can only send messages to individuals." / "Only allowed value is individual"',
  },
];
