// The round page on a phone: each item is saved by its own request, so what was saved
// stays saved when the connection drops, and an item that could not be sent says so
// beside it and keeps what was typed, to be sent again.
(function () {
  var main = document.querySelector('main.round');
  if (!main || !window.fetch || !window.FormData) return;

  function recount() {
    var marked = document.getElementById('marked');
    if (marked) marked.textContent = document.querySelectorAll('form.item.done').length;
  }

  // `state`: 'pending' while sending, 'error' when it could not be sent.
  function say(form, text, state) {
    var said = form.querySelector('.said');
    if (!said) return;
    said.textContent = text;
    said.className = 'said ' + state;
  }

  function save(form) {
    var body = new FormData(form);
    var button = form.querySelector('button[type=submit]');
    if (button) button.disabled = true;
    say(form, main.dataset.saving, 'pending');
    fetch(form.action, {
      method: 'POST',
      body: body,
      credentials: 'same-origin',
      headers: { 'X-Requested-With': 'fetch' }
    }).then(function (response) {
      return response.text().then(function (html) {
        var holder = document.createElement('div');
        holder.innerHTML = html;
        var fresh = holder.querySelector('form.item');
        if (fresh) {
          form.replaceWith(fresh);
          recount();
        } else {
          if (button) button.disabled = false;
          say(form, main.dataset.offline, 'error');
        }
      });
    }).catch(function () {
      if (button) button.disabled = false;
      say(form, main.dataset.offline, 'error');
    });
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form.matches || !form.matches('form.item')) return;
    event.preventDefault();
    save(form);
  });

  // A pass or "not applicable" needs nothing more: it is saved as soon as it is chosen.
  document.addEventListener('change', function (event) {
    var input = event.target;
    if (input.name !== 'mark' || input.value === 'fail') return;
    var form = input.closest('form.item');
    if (form) save(form);
  });
})();
