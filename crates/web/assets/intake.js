// The intake desk while a caller waits. The page works as plain forms; this makes it
// quicker: the caller's earlier requests appear as the number is typed, suggestions and
// possible duplicates as the call is typed, and each is taken with one key.
//   Alt+S  take the suggestion (category, and the place when it is one)
//   Alt+R  record a repeat call about the first open request listed; again, the next
// The lists of earlier requests stay out of the Tab order, so that Tab goes from the
// number straight on to the call.
//   Alt+N  the next call, once this one is saved (Enter does it too: the link has focus)
(() => {
  const form = document.getElementById('intake-form');
  const next = document.getElementById('next-call');
  const key = (event, code) => event.altKey && !event.ctrlKey && !event.metaKey && event.code === code;

  if (next) {
    next.focus();
    document.addEventListener('keydown', (event) => {
      if (key(event, 'KeyN')) {
        event.preventDefault();
        window.location.assign(next.href);
      }
    });
  }
  if (!form) return;

  const field = (id) => document.getElementById(id);
  const phone = field('phone');
  const name = field('name');
  const place = field('unit_id');
  const kind = field('kind');
  const content = field('content');
  const callers = field('callers');
  const suggested = field('suggested');
  const answerBox = field('answer-box');
  const repeatBox = field('repeat-box');
  const repeatOf = field('repeat-of');
  const repeatNote = field('repeat-note');
  field('look').hidden = true;

  // Asks after the typing pauses; an answer to an older question is dropped.
  const later = (fn, ms) => {
    let timer;
    return () => { clearTimeout(timer); timer = setTimeout(fn, ms); };
  };
  const asked = { callers: 0, suggested: 0 };
  const fill = async (target, response) => {
    if (response.status === 204) { target.replaceChildren(); return false; }
    if (!response.ok) return false;
    const html = await response.text();
    target.innerHTML = html;
    return true;
  };

  // The caller: as soon as the number could be one, their requests in this area. What
  // the form still lacks (the name, the place) comes from their latest request.
  let looked = null;
  const lookUp = async () => {
    const number = phone.value.trim();
    if (number === looked) return;
    looked = number;
    const mine = ++asked.callers;
    if (number.replace(/\D/g, '').length < 5) { callers.replaceChildren(); return; }
    const response = await fetch(`/work/intake/callers?phone=${encodeURIComponent(number)}`, { credentials: 'same-origin' });
    if (mine !== asked.callers || !(await fill(callers, response))) return;
    const history = field('caller-history');
    if (!history) return;
    if (!name.value && history.dataset.name) name.value = history.dataset.name;
    if (!place.value && history.dataset.place) place.value = history.dataset.place;
  };
  const lookUpSoon = later(lookUp, 300);
  phone.addEventListener('input', () => {
    // A whole mobile number needs no pause.
    if (/^1\d{10}$/.test(phone.value.replace(/[\s-]/g, ''))) lookUp(); else lookUpSoon();
  });

  // The call: the routing suggestion and possible duplicates, as the title, details,
  // kind, place and address are typed.
  const suggest = async () => {
    const mine = ++asked.suggested;
    const body = new URLSearchParams(new FormData(form));
    const response = await fetch('/work/intake/suggested', { method: 'POST', body, credentials: 'same-origin' });
    if (mine !== asked.suggested || !(await fill(suggested, response))) return;
    const accept = field('accept-suggestion');
    if (accept) accept.hidden = false;
  };
  const suggestSoon = later(suggest, 500);
  ['title', 'content', 'address'].forEach((id) => field(id).addEventListener('input', suggestSoon));
  [kind, place].forEach((element) => element.addEventListener('change', suggestSoon));
  // The place box chooses the one place its words leave (app.js), without a change event.
  field('place-filter').addEventListener('input', suggestSoon);

  // An answer at once is for a consultation; typed already, it stays in sight.
  const showAnswer = () => {
    if (answerBox) answerBox.hidden = kind.value !== 'consult' && !field('answer').value.trim();
  };
  kind.addEventListener('change', showAnswer);
  showAnswer();

  // Taking the suggestion fills the category, and the place when it is one; the caret
  // goes to what the call still lacks.
  const accept = () => {
    const suggestion = field('desk-suggestion');
    if (!suggestion) return;
    if (suggestion.dataset.category) field('desk-category').value = suggestion.dataset.category;
    if (suggestion.dataset.place && !place.value) place.value = suggestion.dataset.place;
    hideMatches();
    (place.value ? name : field('place-filter')).focus();
  };
  suggested.addEventListener('click', (event) => {
    if (event.target.closest('#accept-suggestion')) accept();
  });

  // A repeat call: the call is counted on the request chosen, with what the caller said.
  const chooseRepeat = (button) => {
    repeatOf.value = button.dataset.repeat;
    field('repeat-number').textContent = `${button.dataset.number}「${button.dataset.title}」`;
    if (!repeatNote.value) repeatNote.value = content.value.trim();
    repeatBox.hidden = false;
    repeatNote.focus();
  };
  form.parentElement.addEventListener('click', (event) => {
    const button = event.target.closest('[data-repeat]');
    if (!button) return;
    event.preventDefault();
    chooseRepeat(button);
  });
  repeatNote.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    form.requestSubmit(field('repeat-confirm'));
  });
  field('repeat-cancel').addEventListener('click', () => {
    repeatOf.value = '';
    repeatBox.hidden = true;
    phone.focus();
  });

  document.addEventListener('keydown', (event) => {
    if (key(event, 'KeyS')) {
      event.preventDefault();
      accept();
    } else if (key(event, 'KeyR')) {
      const all = [...document.querySelectorAll('[data-repeat]')];
      if (!all.length) return;
      event.preventDefault();
      const open = repeatBox.hidden ? -1 : all.findIndex((b) => b.dataset.repeat === repeatOf.value);
      chooseRepeat(all[(open + 1) % all.length]);
    }
  });

  // The category box: what is typed — a name or a word people use — lists the
  // categories it fits under their parents; arrows move through them, Enter takes one.
  const box = field('desk-category');
  const matches = field('desk-category-matches');
  const entries = JSON.parse(field('desk-category-data').textContent);
  const hideMatches = () => { matches.hidden = true; matches.replaceChildren(); };
  const choose = (path) => {
    box.value = path;
    hideMatches();
    field('place-filter').focus();
  };
  const found = () => {
    const typed = box.value.trim();
    if (!typed || entries.some((e) => e.path === typed)) return [];
    return entries.filter((e) => e.path.includes(typed)
      || e.words.some((w) => w.includes(typed) || typed.includes(w))).slice(0, 12);
  };
  const showMatches = () => {
    const list = found();
    matches.replaceChildren();
    const groups = new Map();
    list.forEach((entry) => {
      const cut = entry.path.lastIndexOf(' / ');
      const parent = cut < 0 ? '' : entry.path.slice(0, cut);
      if (!groups.has(parent)) groups.set(parent, []);
      groups.get(parent).push(entry);
    });
    groups.forEach((members, parent) => {
      if (parent) {
        const heading = document.createElement('p');
        heading.className = 'group';
        heading.textContent = parent;
        matches.append(heading);
      }
      const items = document.createElement('ul');
      members.forEach((entry) => {
        const item = document.createElement('li');
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'match';
        button.dataset.path = entry.path;
        button.textContent = entry.path.slice(parent ? parent.length + 3 : 0);
        if (entry.words.length) {
          const words = document.createElement('small');
          words.textContent = entry.words.slice(0, 6).join('、');
          button.append(words);
        }
        item.append(button);
        items.append(item);
      });
      matches.append(items);
    });
    matches.hidden = list.length === 0;
  };
  box.addEventListener('input', showMatches);
  box.addEventListener('keydown', (event) => {
    const buttons = [...matches.querySelectorAll('button.match')];
    if (event.key === 'ArrowDown' && buttons.length) {
      event.preventDefault();
      buttons[0].focus();
    } else if (event.key === 'Enter' && buttons.length === 1) {
      event.preventDefault();
      choose(buttons[0].dataset.path);
    } else if (event.key === 'Escape') {
      hideMatches();
    }
  });
  matches.addEventListener('click', (event) => {
    const button = event.target.closest('button.match');
    if (button) choose(button.dataset.path);
  });
  matches.addEventListener('keydown', (event) => {
    const buttons = [...matches.querySelectorAll('button.match')];
    const at = buttons.indexOf(document.activeElement);
    if (event.key === 'ArrowDown' && at < buttons.length - 1) {
      event.preventDefault();
      buttons[at + 1].focus();
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      (at > 0 ? buttons[at - 1] : box).focus();
    } else if (event.key === 'Escape') {
      hideMatches();
      box.focus();
    }
  });

  // Where the last refusal was said, the caret waits: for the place, in its search box.
  const refused = document.querySelector('[aria-invalid="true"]');
  if (refused) (refused === place ? field('place-filter') : refused).focus();
})();
