(function (player) {
  "use strict";
  if (!player) { return; }
  var data = JSON.parse(player.querySelector(".ag-data").textContent);
  var stage = player.querySelector(".ag-stage");
  var caption = player.querySelector(".ag-caption");
  player.querySelector(".ag-note").remove();
  stage.innerHTML = data.svg;  // Graphviz's SVG: every label in it is escaped text
  var svg = stage.querySelector("svg");
  var natural = { width: svg.viewBox.baseVal.width * 4 / 3, height: svg.viewBox.baseVal.height * 4 / 3 };  // pt -> px
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  var controls = document.createElement("div");
  controls.className = "ag-controls";
  controls.innerHTML =
    '<button type="button" data-action="prev" title="previous step (←)">◀ prev</button>' +
    '<button type="button" data-action="play" title="play / pause (space)">▶ play</button>' +
    '<button type="button" data-action="next" title="next step (→)">next ▶</button>' +
    '<input type="range" class="ag-slider" min="0" step="1" value="0" aria-label="step">' +
    '<span class="ag-counter"></span>' +
    '<button type="button" data-action="smaller" title="zoom out (-)" aria-label="zoom out">−</button>' +
    '<button type="button" data-action="fit" title="fit the picture to the window (0)">fit</button>' +
    '<button type="button" data-action="larger" title="zoom in (+)" aria-label="zoom in">+</button>' +
    '<button type="button" data-action="fullscreen" title="full screen (f)">full screen</button>';
  player.insertBefore(controls, caption);
  var slider = controls.querySelector(".ag-slider");
  var counter = controls.querySelector(".ag-counter");
  var playButton = controls.querySelector("[data-action=play]");
  slider.max = String(data.frames.length - 1);

  var parsed = {};
  function element(j, version) {  // version `version` of changing element j, parsed once
    var key = j + ":" + version;
    if (!parsed[key]) {
      var doc = new DOMParser().parseFromString(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">' +
        data.versions[j][version] + "</svg>", "image/svg+xml");
      parsed[key] = doc.documentElement.firstElementChild;
    }
    return document.importNode(parsed[key], true);
  }
  var shownVersion = data.frames[0].slice();
  var index = 0;
  var timer = null;
  var scale = null;  // null: as wide as the player, as draw_dot's pictures are in Jupyter

  function show(i) {
    index = Math.max(0, Math.min(data.frames.length - 1, i));
    var wanted = data.frames[index];
    for (var j = 0; j < data.ids.length; j++) {
      if (shownVersion[j] !== wanted[j]) {
        var old = svg.getElementById ? svg.getElementById(data.ids[j]) : svg.querySelector("#" + CSS.escape(data.ids[j]));
        old.replaceWith(element(j, wanted[j]));
        shownVersion[j] = wanted[j];
      }
    }
    slider.value = String(index);
    caption.textContent = data.captions[index];
    counter.textContent = (index + 1) + " / " + data.frames.length;
    player.setAttribute("data-frame", String(index));
  }
  function size() {
    stage.classList.toggle("ag-zoomed", scale !== null);
    svg.style.width = scale === null ? "100%" : natural.width * scale + "px";
  }
  function fit() {  // as large as fits both the player's width and the window's height below the stage's top
    var width = stage.clientWidth;
    var height = window.innerHeight - stage.getBoundingClientRect().top - 8;
    if (document.fullscreenElement === player) { height = player.clientHeight - stage.offsetTop - 16; }
    scale = Math.max(0.2, Math.min(width / natural.width, height / natural.height));
    size();
  }
  function zoom(factor) {
    var current = svg.getBoundingClientRect().width / natural.width;
    scale = Math.max(0.2, Math.min(8, current * factor));
    size();
  }
  function pause() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    playButton.textContent = "▶ play";
  }
  function play() {
    if (index >= data.frames.length - 1) { show(0); }
    playButton.textContent = "❚❚ pause";
    timer = setInterval(function () {
      if (index >= data.frames.length - 1) { pause(); } else { show(index + 1); }
    }, 1200);
  }
  function step(delta) { pause(); show(index + delta); }
  function fullscreen() {
    if (document.fullscreenElement === player) { document.exitFullscreen(); }
    else if (player.requestFullscreen) { player.requestFullscreen(); }
  }
  var actions = {
    prev: function () { step(-1); }, next: function () { step(1); },
    play: function () { if (timer === null) { play(); } else { pause(); } },
    smaller: function () { zoom(1 / 1.25); }, larger: function () { zoom(1.25); }, fit: fit,
    fullscreen: fullscreen
  };
  controls.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (button) { actions[button.getAttribute("data-action")](); }
  });
  slider.addEventListener("input", function () { pause(); show(parseInt(slider.value, 10)); });
  document.addEventListener("fullscreenchange", function () { if (document.fullscreenElement === player) { fit(); } });
  player.addEventListener("keydown", function (event) {
    if (event.target === slider) { return; }
    if (event.target.tagName === "BUTTON" && (event.key === " " || event.key === "Enter")) { return; }
    var keys = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    if (event.key in keys) { step(keys[event.key]); }
    else if (event.key === "Home") { step(-data.frames.length); }
    else if (event.key === "End") { step(data.frames.length); }
    else if (event.key === " ") { actions.play(); }
    else if (event.key === "+" || event.key === "=") { actions.larger(); }
    else if (event.key === "-") { actions.smaller(); }
    else if (event.key === "0") { fit(); }
    else if (event.key === "f") { fullscreen(); }
    else { return; }
    event.preventDefault();
  });
  show(0);
  if (player.hasAttribute("data-standalone")) { fit(); player.focus(); } else { size(); }
})(document.getElementById("$player_id"));
