(function (player) {
  "use strict";
  if (!player) { return; }
  var frames = player.querySelectorAll(".ag-frame");
  var slider = player.querySelector(".ag-slider");
  var caption = player.querySelector(".ag-caption");
  var counter = player.querySelector(".ag-counter");
  var playButton = player.querySelector("[data-action=play]");
  var index = 0;
  var timer = null;

  function show(i) {
    index = Math.max(0, Math.min(frames.length - 1, i));
    for (var k = 0; k < frames.length; k++) { frames[k].hidden = k !== index; }
    slider.value = String(index);
    caption.textContent = frames[index].getAttribute("data-caption");
    counter.textContent = (index + 1) + " / " + frames.length;
    player.setAttribute("data-frame", String(index));
  }
  function pause() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    playButton.textContent = "▶ play";
  }
  function play() {
    if (index >= frames.length - 1) { show(0); }
    playButton.textContent = "❚❚ pause";
    timer = setInterval(function () {
      if (index >= frames.length - 1) { pause(); } else { show(index + 1); }
    }, 900);
  }
  function step(delta) { pause(); show(index + delta); }

  player.querySelector("[data-action=prev]").addEventListener("click", function () { step(-1); });
  player.querySelector("[data-action=next]").addEventListener("click", function () { step(1); });
  playButton.addEventListener("click", function () { if (timer === null) { play(); } else { pause(); } });
  slider.addEventListener("input", function () { pause(); show(parseInt(slider.value, 10)); });
  player.addEventListener("keydown", function (event) {
    if (event.target === slider) { return; }
    if (event.target.tagName === "BUTTON" && (event.key === " " || event.key === "Enter")) { return; }
    var keys = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    if (event.key in keys) { step(keys[event.key]); }
    else if (event.key === "Home") { step(-frames.length); }
    else if (event.key === "End") { step(frames.length); }
    else if (event.key === " ") { if (timer === null) { play(); } else { pause(); } }
    else { return; }
    event.preventDefault();
  });
  show(0);
  if (player.hasAttribute("data-standalone")) { player.focus(); }
})(document.getElementById("$player_id"));
