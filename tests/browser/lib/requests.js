// Requests made through the JSON API for a browser test to look for afterwards: each
// test gives its own rare words, so what it finds can only be what it made.

/** A community of the demo district, as `{ id, name }`. */
export async function someCommunity(context) {
  const { items: units } = await (await context.request.get('/api/v1/units')).json();
  const community = units.find((u) => u.kind === 'community');
  if (!community) throw new Error('the demo district has no community');
  return community;
}

/** The demo login of a community's or village's own handler: handler_c001 is the first. */
export async function communityHandler(context, unitId) {
  const { items: units } = await (await context.request.get('/api/v1/units')).json();
  const places = units.filter((u) => u.kind === 'community' || u.kind === 'village');
  const index = places.findIndex((u) => u.id === unitId) + 1;
  if (index === 0) throw new Error(`unit ${unitId} is no community or village`);
  return `handler_c${String(index).padStart(3, '0')}`;
}

/**
 * Creates `count` requests through the API of a logged-in staff context, with titles
 * `${word}1…` and the word in the content too; returns their numbers.
 */
export async function createRequests(context, word, count) {
  const community = await someCommunity(context);
  const numbers = [];
  for (let i = 1; i <= count; i++) {
    const response = await context.request.post('/api/v1/requests', {
      data: {
        kind: 'complaint',
        title: `${word}${i}号问题`,
        content: `小区里的${word}问题已经持续一周，请尽快处理。`,
        unit_id: community.id,
        requester_name: '测试居民',
        requester_phone: '13900001111',
      },
    });
    if (response.status() !== 201) throw new Error(`create answered ${response.status()}: ${await response.text()}`);
    numbers.push((await response.json()).number);
  }
  return numbers.sort();
}
