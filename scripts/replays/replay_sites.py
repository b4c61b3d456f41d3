"""Per-site specs of the golden replays: each site's markup (from SOURCES-NOTES.md and stored copies), our own text."""
UZL = dict(nav=[("Bosh sahifa", "/oz/"), ("Yangiliklar", "/oz/news"), ("Aloqa", "/oz/menu/contacts")],
           share="Ulashish", comments="Izohlar", footer="© 2026 Barcha huquqlar himoyalangan.", related="O‘xshash yangiliklar")
UZC = dict(nav=[("Бош саҳифа", "/uz/"), ("Янгиликлар", "/uz/news"), ("Алоқа", "/uz/menu/contacts")],
           share="Улашиш", comments="Изоҳлар", footer="© 2026 Барча ҳуқуқлар ҳимояланган.", related="Ўхшаш янгиликлар")
RU = dict(nav=[("Главная", "/"), ("Контакты", "/page/contacts")], share="Поделиться", comments="Комментарии",
          footer="© 2026 Все права защищены. Перепечатка только с согласия редакции.", related="Читайте также")
KK = dict(nav=[("Басты бет", "/"), ("Байланыс", "/page/contacts")], share="Бөлісу", comments="Пікірлер",
          footer="© 2026 Барлық құқықтар қорғалған.", related="Тақырыпқа қатысты")
IT = dict(nav=[("Home", "/"), ("Contatti", "/contatti")], share="Condividi", comments="Lascia un commento",
          footer="© 2026 Tutti i diritti riservati.", related="Articoli correlati")
EN = dict(nav=[("Home", "/"), ("Contact us", "/contact-us")], share="Share this page", comments=None,
          footer="© 2026 All rights reserved. Terms of use.", related="Related news")
TG = dict(nav=[("Саҳифаи асосӣ", "/"), ("Тамос", "/contact")], share="Мубодила", comments="Шарҳҳо",
          footer="© 2026 Ҳамаи ҳуқуқҳо ҳифз шудаанд.", related="Хабарҳои дигар")
FA = dict(nav=[("صفحه اصلی", "/"), ("تماس با ما", "/contact")], share="اشتراک گذاری", comments="نظرات",
          footer="کلیه حقوق این پایگاه محفوظ است.", related="اخبار مرتبط")

REGIONAL = dict(article="news-view", text="news-view__text", h1="news-view__title", meta="news-view__info",
                date="news-view__date", share="news-view__share social", header="site-header", nav="site-menu",
                footer="site-footer", related="news-other")
REGIONAL_NOTE = "SOURCES-NOTES.md regional police row: /oz/ Latin, /uz/ Cyrillic, /ru/ prefixes, /<lang>/news/<slug> articles, /<lang>/menu/<slug> static pages, plain HTML"
REGIONAL_ITEM = '<div class="news-item"><a class="news-item__title" href="{url}">{title}</a><span class="news-item__date">{date}</span></div>'


def regional(host, lang_prefix, html_lang, chrome, lang, script, articles):
    return dict(
        name=f"{host} — ichki ishlar boshqarmasi", html_lang=html_lang, title_suffix=f"| {host}", chrome=chrome, classes=REGIONAL,
        home=f"/{lang_prefix}/", modelled_on=REGIONAL_NOTE, modelled_detail=f"the regional police site template ({host})",
        entries=[dict(kind="listing", url=f"https://{host}/{lang_prefix}/news", item=REGIONAL_ITEM,
                      extra=f'<div class="static-links"><a href="/{lang_prefix}/menu/rahbariyat">Rahbariyat</a></div>')],
        articles=[dict(a, lang=lang, script=script) for a in articles])


SITES = {}

SITES["iiv-uz"] = dict(
    name="O‘zbekiston Respublikasi Ichki ishlar vazirligi", html_lang="uz", title_suffix="| gov.uz", chrome=dict(UZL, nav=[("Bosh sahifa", "/oz/iiv"), ("Vazirlik haqida", "/oz/iiv/pages/about")]),
    classes=dict(article="news-detail", text="news-detail__content", h1="news-detail__title", meta="news-detail__info", share="news-detail__share share-block", header="gov-header", nav="gov-header__menu", footer="gov-footer"),
    home="/oz/iiv", modelled_on="SOURCES-NOTES.md gov.uz/iiv row: /oz/iiv/news/view/<id> article URLs (seen); the listing and ?page=N pagination are guesses",
    modelled_detail="gov.uz ministry pages, /oz/iiv/news/view/<id>",
    entries=[
        dict(kind="listing", url="https://gov.uz/oz/iiv/news", item='<div class="news-card"><a class="news-card__title" href="{url}">{title}</a><div class="news-card__date">{date}</div></div>',
             extra='<ul class="pagination"><li><a href="https://gov.uz/oz/iiv/news?page=2">2</a></li></ul>', articles=[0]),
        dict(kind="listing", url="https://gov.uz/oz/iiv/news?page=2", item='<div class="news-card"><a class="news-card__title" href="{url}">{title}</a><div class="news-card__date">{date}</div></div>', articles=[1]),
    ],
    articles=[
        dict(url="https://gov.uz/oz/iiv/news/view/48211", date="2026-11-20", lang="uz", script="Latn",
             title="Ichki ishlar vazirligida kiberxavfsizlik bo‘yicha yig‘ilish o‘tkazildi",
             paras=["Vazirlikda kiberjinoyatlarga qarshi kurashish masalalariga bag‘ishlangan yig‘ilish bo‘lib o‘tdi.",
                    "Yig‘ilishda so‘nggi oylarda aniqlangan internet firibgarligi holatlari tahlil qilindi.",
                    "Hududiy boshqarmalarga fuqarolar bilan profilaktik suhbatlarni kuchaytirish topshirildi.",
                    "Yakunda mas’ul xodimlar uchun qo‘shimcha o‘quv mashg‘ulotlari belgilab olindi."]),
        dict(url="https://gov.uz/oz/iiv/news/view/48190", date="2026-11-18", lang="uz", script="Latn",
             title="Yoshlar uchun «Xavfsiz internet» aksiyasi boshlandi",
             paras=["Poytaxt maktablarida «Xavfsiz internet» nomli aksiya start oldi.",
                    "Profilaktika inspektorlari o‘quvchilarga ijtimoiy tarmoqlarda shaxsiy ma’lumotlarni himoya qilish qoidalarini tushuntirmoqda.",
                    "Aksiya oy oxirigacha barcha tumanlarda davom etadi."]),
    ])

SITES["naviib-uz"] = regional("naviib.uz", "oz", "uz", UZL, "uz", "Latn", [
    dict(url="https://naviib.uz/oz/news/kiber-oylik-yakunlandi", date="2026-11-21",
         title="Navoiyda «Kiber oylik» tadbirlari yakunlandi",
         paras=["Navoiy viloyatida bir oy davom etgan «Kiber oylik» profilaktik tadbirlari o‘z nihoyasiga yetdi.",
                "Bu davrda mahallalarda aholi bilan yuzdan ortiq uchrashuv o‘tkazildi.",
                "Fuqarolarga SMS orqali kelgan shubhali havolalarni ochmaslik tavsiya etildi.",
                "Boshqarma xodimlari bunday tadbirlarni kelgusida ham davom ettirishini ma’lum qildi."])])

SITES["sirviib-uz"] = regional("sirviib.uz", "uz", "uz", UZC, "uz", "Cyrl", [
    dict(url="https://sirviib.uz/uz/news/telefon-firibgari-ushlandi", date="2026-11-19",
         title="Гулистонда телефон фирибгари қўлга олинди",
         paras=["Сирдарё вилоятида ўзини банк ходими деб таништирган фирибгар ушланди.",
                "У фуқаролардан банк картасига келган кодларни сўраб, ҳисобдаги пулларни ўзлаштирган.",
                "Ҳозирда жиноят иши қўзғатилиб, тергов ҳаракатлари олиб борилмоқда."])])

SITES["surviib-uz"] = regional("surviib.uz", "oz", "uz", UZL, "uz", "Latn", [
    dict(url="https://surviib.uz/oz/news/termizda-profilaktik-reyd", date="2026-11-17",
         title="Termizda kompyuter klublarida profilaktik reyd o‘tkazildi",
         paras=["Termiz shahrida voyaga yetmaganlar o‘rtasida huquqbuzarliklarning oldini olish maqsadida reyd o‘tkazildi.",
                "Reyd davomida o‘n ikki kompyuter klubi faoliyati o‘rganildi.",
                "Talablarni buzgan klub egalariga nisbatan ma’muriy bayonnomalar rasmiylashtirildi."])])

SITES["qriiv-uz"] = regional("qriiv.uz", "ru", "ru", dict(RU, nav=[("Главная", "/ru/"), ("Руководство", "/ru/menu/rukovodstvo")]), "ru", "Cyrl", [
    dict(url="https://qriiv.uz/ru/news/preduprezhdenie-o-moshennichestve", date="2026-11-16",
         title="В Нукусе предупредили о новой схеме мошенничества",
         paras=["Сотрудники полиции Каракалпакстана рассказали жителям о новой схеме обмана через мессенджеры.",
                "Злоумышленники рассылают сообщения от имени знакомых и просят срочно перевести деньги.",
                "Полиция советует перезванивать отправителю и не сообщать посторонним коды из SMS."])])
SITES["qriiv-uz"]["name"] = "МВД Республики Каракалпакстан"

SITES["proacademy-uz"] = dict(
    name="Law Enforcement Academy of the Republic of Uzbekistan", html_lang="en", title_suffix="| Proacademy", chrome=dict(EN, nav=[("Home", "/en/"), ("About the Academy", "/en/page/about")]),
    classes=dict(article="news-single", text="news-single__body", h1="news-single__title", share="news-single__share", header="top-header", nav="top-menu", footer="bottom-footer"),
    home="/en/", modelled_on="SOURCES-NOTES.md proacademy.uz row: /en/news/view?alias=<id> article URLs (seen); the /en/news listing is a guess",
    modelled_detail="proacademy.uz, article URLs with ?alias=<id>",
    entries=[dict(kind="listing", url="https://proacademy.uz/en/news", item='<div class="news-box"><a href="{url}">{title}</a><p class="news-box__date">{date}</p></div>')],
    articles=[dict(url="https://proacademy.uz/en/news/view?alias=1893", date="2026-11-14", lang="en", script="Latn",
                   title="Academy hosts regional workshop on digital evidence",
                   paras=["Investigators from five Central Asian countries gathered at the Academy for a three-day workshop on digital evidence.",
                          "Trainers walked participants through the seizure and preservation of data from mobile phones and cloud accounts.",
                          "The course closed with a mock trial in which each team presented the evidence it had collected."])])

SITES["kun-uz"] = dict(
    name="Kun.uz", html_lang="uz", title_suffix="| Kun.uz", chrome=dict(UZL, nav=[("Bosh sahifa", "/"), ("Reklama", "/page/ads")]),
    classes=dict(article="single-layout", text="news-inner__content-page", h1="single-header__title", meta="single-header__meta", date="date", share="single-share", header="big-header", nav="big-header__nav", footer="main-footer", article_tag="div"),
    home="/", date_style="meta", modelled_on="SOURCES-NOTES.md kun.uz row: /news/YYYY/MM/DD/<slug> URLs, body div.news-inner__content-page, date div.single-header__meta div.date; RSS /news/rss claimed",
    modelled_detail="kun.uz article template (2022-24 selectors) and its RSS",
    entries=[dict(kind="rss", url="https://kun.uz/news/rss", home_url="https://kun.uz/")],
    articles=[dict(url="https://kun.uz/news/2026/11/23/onlayn-kredit-firibgarligi-boyicha-ogohlantirish", date="2026-11-23", lang="uz", script="Latn",
                   title="Onlayn kredit firibgarligi bo‘yicha ogohlantirish berildi",
                   paras=["Markaziy bank fuqarolarni boshqalar nomiga onlayn kredit olish holatlaridan ogohlantirdi.",
                          "So‘nggi haftalarda shaxsiy ma’lumotlari o‘g‘irlangan mijozlardan ko‘plab murojaatlar kelib tushgan.",
                          "Mutaxassislar pasport nusxasini notanish shaxslarga yubormaslikni maslahat berishmoqda."])])

GAZ = dict(article="article-page", text="js-mediator-article article-text", h1="article-title", meta="article-date", share="article-share", header="header", nav="header-menu", footer="footer", wrap="content")
GAZ_ITEM = '<div class="nblock"><div class="nt"><h3><a href="{url}">{title}</a></h3></div><div class="ndt">{date}</div></div>'
SITES["gazeta-uz-ru"] = dict(
    name="Газета.uz", html_lang="ru", title_suffix="– Газета.uz", chrome=dict(RU, nav=[("Главная", "/ru/"), ("Общество", "/ru/society/"), ("Контакты", "/ru/page/contacts")]),
    classes=GAZ, home="/ru/", modelled_on="SOURCES-NOTES.md gazeta.uz row and a stored gazeta.uz rubric page (hreflang alternates, /<lang>/<rubric>/ and ?page=N); list selectors div.nt, div.ndt, h3",
    modelled_detail="gazeta.uz home and rubric pages (div.nt, div.ndt, h3) and /ru/YYYY/MM/DD/<slug>/ articles",
    entries=[dict(kind="listing", url="https://www.gazeta.uz/ru/", item=GAZ_ITEM, open='<div class="newsblock-2">', articles=[0]),
             dict(kind="listing", url="https://www.gazeta.uz/ru/society/", item=GAZ_ITEM, open='<div class="newsblock-2">', articles=[0, 1])],
    articles=[dict(url="https://www.gazeta.uz/ru/2026/11/22/cyber-fraud-stats/", date="2026-11-22", lang="ru", script="Cyrl",
                   title="Число киберпреступлений в Узбекистане выросло за десять месяцев",
                   paras=["Генеральная прокуратура опубликовала статистику преступлений в сфере информационных технологий.",
                          "Больше всего заявлений касалось хищений с банковских карт и поддельных интернет-магазинов.",
                          "Ведомство напомнило, что настоящие сотрудники банков никогда не спрашивают коды из SMS."]),
              dict(url="https://www.gazeta.uz/ru/2026/11/21/school-lessons/", date="2026-11-21", lang="ru", script="Cyrl",
                   title="В школах Ташкента прошли уроки цифровой грамотности",
                   paras=["В столичных школах провели открытые уроки о безопасном поведении в интернете.",
                          "Инспекторы по делам несовершеннолетних объясняли ученикам, как распознать поддельный аккаунт.",
                          "Организаторы планируют повторить занятия весной."])])

SITES["gazeta-uz-oz"] = dict(
    name="Gazeta.uz", html_lang="uz-Latn", title_suffix="– Gazeta.uz", chrome=dict(UZL, nav=[("Bosh sahifa", "/oz/"), ("Aloqa", "/oz/page/contacts")]),
    classes=GAZ, home="/oz/", modelled_on="SOURCES-NOTES.md gazeta.uz row (/oz/ Latin edition, list selectors div.nt, div.ndt, h3) and a stored gazeta.uz rubric page",
    modelled_detail="gazeta.uz /oz/ home and /oz/YYYY/MM/DD/<slug>/ articles",
    entries=[dict(kind="listing", url="https://www.gazeta.uz/oz/", item=GAZ_ITEM, open='<div class="newsblock-2">')],
    articles=[dict(url="https://www.gazeta.uz/oz/2026/11/22/kiberjinoyat-statistikasi/", date="2026-11-22", lang="uz", script="Latn",
                   title="O‘zbekistonda kiberjinoyatlar soni o‘n oyda oshdi",
                   paras=["Bosh prokuratura axborot texnologiyalari sohasidagi jinoyatlar statistikasini e’lon qildi.",
                          "Murojaatlarning aksariyati bank kartalaridan pul o‘g‘irlash va soxta internet-do‘konlar bilan bog‘liq.",
                          "Idora haqiqiy bank xodimlari hech qachon SMS kodlarini so‘ramasligini eslatdi."])])

DAR = dict(article="article", text="article__content default__section", h1="article__title", meta="article__info", share="article__share", header="header", nav="header__nav", footer="footer", related="article__related")
DAR_ITEM = '<a class="mini-article" href="{url}"><h2 class="mini-article__title">{title}</h2><span class="mini-article__date">{date}</span></a>'
SITES["daryo-uz"] = dict(
    name="Daryo", html_lang="uz", title_suffix="| Daryo.uz", chrome=dict(UZL, nav=[("Bosh sahifa", "/"), ("O‘zb", "/"), ("Ўзб", "/k/"), ("Рус", "/ru/"), ("Eng", "/en/")]),
    classes=DAR, home="/", date_style="meta",
    modelled_on="SOURCES-NOTES.md daryo.uz row (root = Latin, /k/ = Cyrillic, /YYYY/MM/DD/<slug>/ URLs, O'zb/Ўзб/Рус/Eng switcher, full navigation in article pages) and daryo API items seen in third-party code",
    modelled_detail="daryo.uz Latin and Cyrillic home pages and articles",
    entries=[dict(kind="listing", url="https://daryo.uz/", item=DAR_ITEM, articles=[0]),
             dict(kind="listing", url="https://daryo.uz/k/", item=DAR_ITEM, articles=[1])],
    articles=[dict(url="https://daryo.uz/2026/11/24/toshkentda-soxta-kuryerlar-fosh-etildi/", date="2026-11-24", lang="uz", script="Latn",
                   title="Toshkentda soxta kuryerlar fosh etildi",
                   paras=["Poytaxtda o‘zini yetkazib berish xizmati kuryeri deb tanishtirgan firibgarlar qo‘lga olindi.",
                          "Ular xaridorlarga to‘lov uchun soxta havola yuborib, karta ma’lumotlarini egallab olishgan.",
                          "Jabrlanuvchilar soni o‘ttizdan oshgani aytilmoqda."]),
              dict(url="https://daryo.uz/k/2026/11/24/soxta-kuryerlar/", date="2026-11-24", lang="uz", script="Cyrl",
                   title="Тошкентда сохта курьерлар фош этилди",
                   paras=["Пойтахтда ўзини етказиб бериш хизмати курьери деб таништирган фирибгарлар қўлга олинди.",
                          "Улар харидорларга тўлов учун сохта ҳавола юбориб, карта маълумотларини эгаллаб олишган.",
                          "Жабрланувчилар сони ўттиздан ошгани айтилмоқда."])])

SITES["polisia-kz"] = dict(
    name="Полиция Казахстана", html_lang="ru-RU", title_suffix="– Полиция Казахстана", chrome=dict(RU, nav=[("Главная", "/ru/"), ("Контакты", "/ru/kontakty/")]),
    classes=dict(article="post type-post single-post-content", text="entry-content", h1="single-post-title", meta="post-meta", share="post-share", header="site-header", nav="main-navigation", footer="site-footer", related="related-posts"),
    home="/ru/", date_style="time", tz="+06:00",
    modelled_on="SOURCES-NOTES.md polisia.kz row: WordPress multisite under /ru/, list items .listing-item > .item-inner with a.post-url.post-title and time[datetime]; /ru/feed/ is a guess",
    modelled_detail="polisia.kz WordPress listing (.listing-item, a.post-url.post-title, time[datetime]) and a guessed /ru/feed/",
    entries=[dict(kind="rss", url="https://polisia.kz/ru/feed/", home_url="https://polisia.kz/ru/", articles=[0]),
             dict(kind="listing", url="https://polisia.kz/ru/", open='<div class="listing listing-grid">',
                  item='<article class="listing-item"><div class="item-inner"><a class="post-url post-title" href="{url}">{title}</a><time datetime="{date}T09:00:00+06:00">{date}</time></div></article>',
                  extra='<a href="https://polisia.kz/ru/category/novosti/">Новости</a> <a href="https://polisia.kz/ru/kontakty/">Контакты</a>', articles=[0, 1])],
    articles=[dict(url="https://polisia.kz/ru/politsejskie-almaty-predupredili-o-lzhebrokerah/", date="2026-11-20", lang="ru", script="Cyrl",
                   title="Полицейские Алматы предупредили о лжеброкерах",
                   paras=["Полиция Алматы фиксирует рост числа обращений от жертв фальшивых инвестиционных платформ.",
                          "Мошенники обещают высокий доход от торговли на бирже и просят перевести деньги на чужие счета.",
                          "Граждан призывают проверять наличие лицензии у компании, прежде чем вкладывать сбережения."]),
              dict(url="https://polisia.kz/ru/v-karagande-zaderzhali-dropperov/", date="2026-11-19", lang="ru", script="Cyrl",
                   title="В Караганде задержали дропперов",
                   paras=["Карагандинские полицейские задержали троих молодых людей, передававших свои банковские карты мошенникам.",
                          "Через эти карты выводились деньги, похищенные у жителей других регионов.",
                          "Им грозит уголовная ответственность за пособничество."])])

BAQ_ITEM = '<a class="l-col__item" href="{url}"><span class="l-col__item_title">{title}</span><span class="l-col__item_date">{date}</span></a>'
BAQ = dict(article="article", text="article__body", h1="article__title", meta="article__meta", share="article__share", header="header", nav="header__menu", footer="footer", related="article__more")
SITES["baq-kz"] = dict(
    name="BAQ.KZ", html_lang="kk", title_suffix="| BAQ.KZ", chrome=KK, classes=BAQ, home="/", tz="+05:00",
    modelled_on="SOURCES-NOTES.md baq.kz row and stored baq.kz article URLs (<slug>-200NNNNNN/, trailing slash); home selectors .l-col>a.l-col__item, .l-col__item_title, .l-col__item_date",
    modelled_detail="baq.kz Kazakh home page (.l-col > a.l-col__item) and articles",
    entries=[dict(kind="listing", url="https://baq.kz/", item=BAQ_ITEM, open='<div class="l-col">',
                  extra='<a href="https://baq.kz/tag/kiberalayaqtyq/">#кибералаяқтық</a> <a href="https://baq.kz/search/?q=ІІМ">Іздеу</a>')],
    articles=[dict(url="https://baq.kz/iim-kiberalayaqtyqtan-saqtandyrdy-200020512/", date="2026-11-25", lang="kk", script="Cyrl",
                   title="ІІМ кибералаяқтықтан сақтандырды",
                   paras=["Ішкі істер министрлігі азаматтарды интернеттегі алаяқтардың жаңа тәсілдерінен сақ болуға шақырды.",
                          "Алаяқтар банк қызметкері болып қоңырау шалып, картаның құпия кодын сұрайды.",
                          "Министрлік мұндай жағдайда бірден банкке хабарласуға кеңес береді."]),
              dict(url="https://baq.kz/astanada-zhasoospirimderge-daris-200020498/", date="2026-11-24", lang="kk", script="Cyrl",
                   title="Астанада жасөспірімдерге цифрлық қауіпсіздік туралы дәріс өтті",
                   paras=["Астана мектептерінде полиция қызметкерлері оқушыларға цифрлық қауіпсіздік туралы дәріс оқыды.",
                          "Балаларға әлеуметтік желілерде жеке деректерді қорғау жолдары түсіндірілді.",
                          "Мұндай кездесулер жыл соңына дейін жалғасады."])])

SITES["rus-baq-kz"] = dict(
    name="BAQ.KZ", html_lang="ru", title_suffix="| BAQ.KZ", chrome=RU, classes=BAQ, home="/", tz="+05:00",
    modelled_on="SOURCES-NOTES.md baq.kz row and stored rus.baq.kz article URLs (<slug>_300NNNNNN/, underscore), same home template (.l-col>a.l-col__item) as baq.kz",
    modelled_detail="rus.baq.kz home page and the MVD cyber-fraud story type",
    entries=[dict(kind="listing", url="https://rus.baq.kz/", item=BAQ_ITEM, open='<div class="l-col">')],
    articles=[dict(url="https://rus.baq.kz/mvd-rasskazalo-o-kibermoshennichestve_300020871/", date="2026-11-25", lang="ru", script="Cyrl",
                   title="МВД рассказало о новых схемах кибермошенничества",
                   paras=["В министерстве внутренних дел перечислили схемы обмана, которые чаще всего встречаются в этом году.",
                          "Среди них звонки от имени службы безопасности банка и продажа несуществующих товаров в соцсетях.",
                          "Полицейские советуют не переходить по ссылкам из сообщений незнакомцев."])])

TENGRI = dict(article="tn-news-article", text="tn-news-content", h1="tn-content-title", meta="tn-data-list", share="tn-share", header="tn-header", nav="tn-menu", footer="tn-footer", related="tn-read-more", article_tag="div")
SITES["tengrinews-kz"] = dict(
    name="Tengrinews.kz", html_lang="ru", title_suffix="- Tengrinews.kz", chrome=dict(RU, nav=[("Главная", "/"), ("Все новости", "/news/"), ("Реклама", "/page/ads")]),
    classes=TENGRI, home="/", tz="+05:00",
    modelled_on="SOURCES-NOTES.md tengrinews.kz row: /sitemap_ru.xml (some entries glued to the site prefix), /news/ listing with .tn-article-item a.tn-link and /news/page/N/, body div.tn-news-content",
    modelled_detail="tengrinews.kz sitemap (with a glued entry), news listing and pagination",
    entries=[dict(kind="sitemap", url="https://tengrinews.kz/sitemap_ru.xml", articles=[0]),
             dict(kind="listing", url="https://tengrinews.kz/news/", item='<div class="tn-article-item"><a class="tn-link" href="{url}"><span class="tn-article-title">{title}</span></a><time>{date}</time></div>',
                  extra='<div class="tn-pagination"><a href="https://tengrinews.kz/news/page/2/">2</a></div>', articles=[0]),
             dict(kind="listing", url="https://tengrinews.kz/news/page/2/", item='<div class="tn-article-item"><a class="tn-link" href="{url}"><span class="tn-article-title">{title}</span></a><time>{date}</time></div>', articles=[1])],
    articles=[dict(url="https://tengrinews.kz/kazakhstan_news/moshenniki-pohitili-dengi-pensionerov-589341/", sitemap_loc="https://tengrinews.kzhttps://tengrinews.kz/kazakhstan_news/moshenniki-pohitili-dengi-pensionerov-589341/",
                   date="2026-11-23", lang="ru", script="Cyrl",
                   title="В Павлодаре мошенники похитили деньги пенсионеров",
                   paras=["Павлодарские полицейские разыскивают мошенников, обманувших нескольких пенсионеров.",
                          "Преступники звонили от имени сотрудников поликлиники и предлагали оформить выплату.",
                          "Родственникам пожилых людей советуют заранее рассказать им о таких звонках."]),
              dict(url="https://tengrinews.kz/article/kak-zashchitit-akkaunt-v-messendzhere-3102/", date="2026-11-18", lang="ru", script="Cyrl",
                   title="Как защитить аккаунт в мессенджере: советы специалистов",
                   paras=["Специалисты по информационной безопасности объяснили, как уберечь аккаунт от угона.",
                          "Главное правило: включить двухэтапную проверку и никому не называть код подтверждения.",
                          "Если аккаунт уже угнан, нужно сразу предупредить знакомых и обратиться в поддержку."])])

SITES["tengrinews-kk"] = dict(
    name="Tengrinews.kz", html_lang="kk", title_suffix="- Tengrinews.kz", chrome=KK, classes=TENGRI, home="/", tz="+05:00",
    modelled_on="SOURCES-NOTES.md tengrinews.kz row: kaz.tengrinews.kz/kk-sitemap-index.xml (a sitemap index), the shared article URL pattern and div.tn-news-content",
    modelled_detail="kaz.tengrinews.kz sitemap index and one child sitemap",
    entries=[dict(kind="sitemapindex", url="https://kaz.tengrinews.kz/kk-sitemap-index.xml", children=["https://kaz.tengrinews.kz/sitemap-news-kk.xml"]),
             dict(kind="sitemap", url="https://kaz.tengrinews.kz/sitemap-news-kk.xml")],
    articles=[dict(url="https://kaz.tengrinews.kz/kazakhstan_news/shymkentte-alayaqtar-ustaldy-561204/", date="2026-11-22", lang="kk", script="Cyrl",
                   title="Шымкентте интернет алаяқтары ұсталды",
                   paras=["Шымкент полициясы интернет арқылы тауар сатамыз деп халықты алдаған топты ұстады.",
                          "Күдіктілер ақша алғаннан кейін сатып алушылармен байланысты үзіп отырған.",
                          "Қазір олардың басқа қылмыстарға қатысы бар-жоғы тексерілуде."])])

SITES["zakon-kz"] = dict(
    name="Zakon.kz", html_lang="ru", title_suffix="| Zakon.kz", chrome=RU,
    classes=dict(article="article", text="content", h1="articleHead__title", meta="articleHead__info", share="share-block", header="header", nav="header__nav", footer="footer", related="zmainCard"),
    home="/", date_style="time", tz="+05:00",
    modelled_on="SOURCES-NOTES.md zakon.kz row: /sitemap.xml, article URLs /<rubric>/<7 digits>-<slug>.html, cards .zmainCard_item with time[datetime]",
    modelled_detail="zakon.kz sitemap and /<rubric>/NNNNNNN-<slug>.html articles",
    entries=[dict(kind="sitemap", url="https://www.zakon.kz/sitemap.xml")],
    articles=[dict(url="https://www.zakon.kz/proisshestviia/6512345-v-astane-osudili-hakera.html", date="2026-11-21", lang="ru", script="Cyrl",
                   title="В Астане осудили хакера, взломавшего сайт колледжа",
                   paras=["Суд Астаны вынес приговор жителю столицы, который взломал сайт местного колледжа.",
                          "Он изменил оценки нескольких студентов и разместил на главной странице постороннюю рекламу.",
                          "Суд назначил ему ограничение свободы и запретил заниматься администрированием сайтов."])])

SITES["inform-kz"] = dict(
    name="Kazinform", html_lang="ru", title_suffix="— Казинформ", chrome=RU,
    classes=dict(article="article__wrapper", text="article__body-text", h1="article__title", meta="article__date", share="article__share", header="header", nav="header__menu", footer="footer", article_tag="div"),
    home="/ru/", tz="+05:00",
    modelled_on="SOURCES-NOTES.md inform.kz row: new-style article URLs /ru/<slug>-<6 hex>, pages without <article> or articleBody; RSS /rss/rus.xml claimed",
    modelled_detail="inform.kz RSS and a new-style article page (no <article> element)",
    entries=[dict(kind="rss", url="https://www.inform.kz/rss/rus.xml", home_url="https://www.inform.kz/ru/")],
    articles=[dict(url="https://www.inform.kz/ru/kiberpolitsiya-predupredila-o-feykovyh-rozygryshah-a81f3c", date="2026-11-24", lang="ru", script="Cyrl",
                   title="Киберполиция предупредила о фейковых розыгрышах",
                   paras=["Департамент по противодействию киберпреступности сообщил о волне поддельных розыгрышей в соцсетях.",
                          "Организаторы просят победителей оплатить доставку приза и исчезают после перевода.",
                          "Настоящие розыгрыши не требуют от участников никаких платежей."])])
SITES["inform-kz"]["classes"]["article_tag"] = "div"

SITES["kursiv-kz"] = dict(
    name="Kursiv Media", html_lang="ru-RU", title_suffix="— Kursiv Media", chrome=RU,
    classes=dict(article="post single", text="post-content entry-content", h1="post-title", meta="post-meta", share="post-share", header="site-header", nav="site-nav", footer="site-footer", related="related-posts"),
    home="/", date_style="meta", tz="+05:00",
    modelled_on="SOURCES-NOTES.md kursiv.media row: WordPress, /feed/ claimed, article URLs /YYYY-MM-DD/<slug>/",
    modelled_detail="kz.kursiv.media WordPress feed and post",
    entries=[dict(kind="rss", url="https://kz.kursiv.media/feed/", home_url="https://kz.kursiv.media/")],
    articles=[dict(url="https://kz.kursiv.media/2026-11-20/bankam-predlozhili-zamedlyat-perevody/", date="2026-11-20", lang="ru", script="Cyrl",
                   title="Банкам предложили замедлять подозрительные переводы",
                   paras=["Регулятор предложил банкам задерживать на несколько часов переводы, похожие на мошеннические.",
                          "За это время клиент сможет отменить операцию, если понял, что его обманули.",
                          "Обсуждение поправок продлится до конца декабря."])])

SITES["kaz-nur-kz"] = dict(
    name="NUR.KZ", html_lang="kk", title_suffix="— NUR.KZ", chrome=KK,
    classes=dict(article="article", text="formatted-body", h1="main-headline", meta="article__meta", share="share-buttons", header="header", nav="header__nav", footer="footer", related="related-news"),
    home="/", tz="+05:00",
    modelled_on="SOURCES-NOTES.md 'Other KZ candidates' row: kaz.nur.kz/rss/all.rss answered in 2026-09; the article URL shape /<rubric>/<id>-<slug>/ is a guess",
    modelled_detail="kaz.nur.kz RSS (seen answering) and a guessed article page",
    entries=[dict(kind="rss", url="https://kaz.nur.kz/rss/all.rss", home_url="https://kaz.nur.kz/")],
    articles=[dict(url="https://kaz.nur.kz/society/2251834-alayaqtar-zhana-tasil-oilap-tapty/", date="2026-11-23", lang="kk", script="Cyrl",
                   title="Алаяқтар жаңа тәсіл ойлап тапты: полиция ескертеді",
                   paras=["Полиция алаяқтардың мессенджерде туыстардың атынан ақша сұрайтынын хабарлады.",
                          "Олар бұрын бұзылған аккаунттарды пайдаланып, достар тізіміндегі адамдарға жазады.",
                          "Ақша аудармас бұрын туысыңызға қоңырау шалып, хабарды тексеру қажет."])])

SITES["24-kg"] = dict(
    name="24.kg", html_lang="ru", title_suffix="- 24.kg", chrome=RU,
    classes=dict(article="one-news", text="cont", h1="newsTitle", meta="newsDate", share="share", header="header", nav="menu", footer="footer", related="related"),
    home="/", tz="+06:00",
    modelled_on="24.kg home page as parsed by third-party code (news list in div#newslist); article URL shape /<rubric>/<id>_<slug>/ is a guess",
    modelled_detail="24.kg home page with div#newslist",
    entries=[dict(kind="listing", url="https://24.kg/", open='<div id="newslist">', item='<div class="one"><div class="time">10:00</div><div class="title"><a href="{url}"><span>{title}</span></a></div></div>')],
    articles=[dict(url="https://24.kg/proisshestvija/348122_v_bishkeke_zaderjali_moshennika/", date="2026-11-22", lang="ru", script="Cyrl",
                   title="В Бишкеке задержали мошенника, продававшего несуществующие билеты",
                   paras=["Милиция Бишкека задержала мужчину, который продавал в интернете билеты на несуществующие концерты.",
                          "Покупатели переводили деньги на его карту и не получали ничего взамен.",
                          "Возбуждено уголовное дело, задержанный водворен в изолятор временного содержания."])])

SITES["akipress-kg"] = dict(
    name="AKIpress", html_lang="ru", title_suffix="- AKIpress", chrome=RU,
    classes=dict(article="news-page", text="news-text", h1="news-title", meta="news-date", share="news-share", header="header", nav="top-menu", footer="footer"),
    home="/", tz="+06:00",
    modelled_on="a guess: akipress.org article URLs /news:<id> from memory; markup invented (no stored copy found)",
    modelled_detail="akipress.org home page and /news:<id> articles (guessed)",
    entries=[dict(kind="listing", url="https://akipress.org/", item='<div class="news-item"><a href="{url}">{title}</a></div>')],
    articles=[dict(url="https://akipress.org/news:1934512", date="2026-11-21", lang="ru", script="Cyrl",
                   title="ГКНБ предупредил о поддельных сайтах госуслуг",
                   paras=["Госкомитет национальной безопасности сообщил о появлении сайтов, копирующих портал государственных услуг.",
                          "Пользователей просят ввести данные банковской карты для оплаты пошлины.",
                          "Ведомство напоминает, что официальный портал находится только в доменной зоне gov.kg."])])

SITES["asiaplus-tj"] = dict(
    name="Asia-Plus", html_lang="ru", title_suffix="| Asia-Plus", chrome=RU,
    classes=dict(article="node node--article", text="field-body", h1="page-title", meta="node-date", share="social-share", header="header", nav="main-menu", footer="footer", related="more-news"),
    home="/ru/", tz="+05:00",
    modelled_on="a guess: asiaplustj.info URL shape /ru/news/<region>/<rubric>/<YYYYMMDD>/<slug> from memory; Drupal-style markup invented",
    modelled_detail="asiaplustj.info Tajikistan listing and article (guessed shapes)",
    entries=[dict(kind="listing", url="https://asiaplustj.info/ru/news/tajikistan", item='<div class="views-row"><a href="{url}">{title}</a><span class="date">{date}</span></div>')],
    articles=[dict(url="https://asiaplustj.info/ru/news/tajikistan/security/20261120/v-dushanbe-predupredili-o-lzhezvonkah", date="2026-11-20", lang="ru", script="Cyrl",
                   title="В Душанбе предупредили о ложных звонках от имени банков",
                   paras=["МВД Таджикистана предупредило жителей столицы о звонках от имени сотрудников банков.",
                          "Звонящие сообщают о подозрительной операции и просят назвать данные карты.",
                          "В милиции советуют сразу класть трубку и звонить в банк по номеру с обратной стороны карты."])])

SITES["khovar-tj"] = dict(
    name="Ховар", html_lang="tg", title_suffix="| Ховар", chrome=TG,
    classes=dict(article="post", text="entry-content", h1="entry-title", meta="entry-meta", share="sharedaddy", header="site-header", nav="main-navigation", footer="site-footer", related="jp-relatedposts"),
    home="/", date_style="meta", tz="+05:00",
    modelled_on="a guess: khovar.tj as WordPress (/feed/, /YYYY/MM/<slug>/ permalinks); no stored copy found",
    modelled_detail="khovar.tj WordPress feed and post (guessed)",
    entries=[dict(kind="rss", url="https://khovar.tj/feed/", home_url="https://khovar.tj/")],
    articles=[dict(url="https://khovar.tj/2026/11/vazorati-kor-oid-ba-firebgarii-internet/", date="2026-11-19", lang="tg", script="Cyrl",
                   title="Вазорати корҳои дохилӣ дар бораи фиребгарии интернетӣ ҳушдор дод",
                   paras=["Вазорати корҳои дохилии Ҷумҳурии Тоҷикистон шаҳрвандонро аз фиребгарони интернетӣ огоҳ кард.",
                          "Фиребгарон дар шабакаҳои иҷтимоӣ бо номи ширкатҳои маъруф молҳои арзон пешниҳод мекунанд.",
                          "Мутахассисон тавсия медиҳанд, ки пеш аз пардохт эътимоднокии фурӯшандаро санҷед."])])

MVD = dict(article="news-detail", text="article", h1="ln-title", meta="article-date-item", share="share-block", header="header", nav="top-menu", footer="footer", article_tag="section", related="sl-holder")
SITES["mvd-rf"] = dict(
    name="МВД России", html_lang="ru", title_suffix="| МВД России", chrome=dict(RU, nav=[("Главная", "/"), ("Новости", "/news/"), ("Контакты", "/contacts")]),
    classes=MVD, home="/", tz="+03:00",
    modelled_on="SOURCES-NOTES.md мвд.рф row: punycode host, /news/rss, /news/ and /news/N lists (div.section-list div.sl-item, div.sl-item-title a, div.bl-item-date), /news/item/<id>/ articles with section.news-detail, regional NN. subdomains",
    modelled_detail="мвд.рф feed, news list with pagination, federal and regional (77.) articles",
    entries=[dict(kind="rss", url="https://xn--b1aew.xn--p1ai/news/rss", home_url="https://xn--b1aew.xn--p1ai/", articles=[1]),
             dict(kind="listing", url="https://xn--b1aew.xn--p1ai/news/", open='<div class="section-list">',
                  item='<div class="sl-item"><div class="sl-item-title"><a href="{url}">{title}</a></div><div class="bl-item-date">{date}</div></div>',
                  extra='<div class="pagination"><a href="https://xn--b1aew.xn--p1ai/news/2">2</a></div>', articles=[0]),
             dict(kind="listing", url="https://xn--b1aew.xn--p1ai/news/2", open='<div class="section-list">',
                  item='<div class="sl-item"><div class="sl-item-title"><a href="{url}">{title}</a></div><div class="bl-item-date">{date}</div></div>', articles=[0])],
    articles=[dict(url="https://xn--b1aew.xn--p1ai/news/item/61234567/", date="2026-11-24", lang="ru", script="Cyrl",
                   title="В МВД рассказали о мерах против телефонного мошенничества",
                   paras=["Официальный представитель МВД России рассказала о совместной работе полиции и операторов связи.",
                          "С начала года заблокированы десятки тысяч номеров, с которых звонили мошенники.",
                          "Граждан просят сообщать о подозрительных звонках по телефону дежурной части."]),
              dict(url="https://77.xn--b1aew.xn--p1ai/news/item/61230011/", date="2026-11-23", lang="ru", script="Cyrl",
                   title="В Москве задержали курьера телефонных мошенников",
                   paras=["Столичные полицейские задержали молодого человека, забиравшего деньги у обманутых пенсионеров.",
                          "Он приезжал к потерпевшим после звонков лжесотрудников банка и получал наличные.",
                          "Возбуждено уголовное дело по статье о мошенничестве."])])

SITES["ria-ru"] = dict(
    name="РИА Новости", html_lang="ru", title_suffix="- РИА Новости", chrome=dict(RU, nav=[("Главная", "/"), ("Лента новостей", "/lenta/")]),
    classes=dict(article="article", text="article__body", h1="article__title", meta="article__info-date", share="article__share", header="header", nav="header__nav", footer="footer", related="article__related"),
    home="/", tz="+03:00",
    modelled_on="SOURCES-NOTES.md ria.ru row: /export/rss2/archive/index.xml, article URLs /YYYYMMDD/<slug>-<id>.html with the date in the URL",
    modelled_detail="ria.ru RSS archive feed and a /YYYYMMDD/<slug>-<id>.html article",
    entries=[dict(kind="rss", url="https://ria.ru/export/rss2/archive/index.xml", home_url="https://ria.ru/")],
    articles=[dict(url="https://ria.ru/20261125/moshenniki-2051234567.html", date="2026-11-25", lang="ru", script="Cyrl",
                   title="Эксперты назвали самые частые уловки мошенников перед праздниками",
                   paras=["Перед новогодними праздниками мошенники чаще предлагают поддельные подарочные сертификаты, рассказали эксперты.",
                          "Также растет число фальшивых сайтов с билетами на праздничные представления.",
                          "Покупать билеты советуют только на сайтах театров и проверенных площадках."])])

SITES["tass-ru"] = dict(
    name="ТАСС", html_lang="ru", title_suffix="– ТАСС", chrome=RU,
    classes=dict(article="news", text="text-content", h1="news-header__title", meta="news-header__date", share="share-panel", header="header", nav="menu", footer="footer"),
    home="/", tz="+03:00",
    modelled_on="SOURCES-NOTES.md tass.ru row: /rss/v2.xml (seen widely used), article URLs /<rubric>/<id> (claimed)",
    modelled_detail="tass.ru RSS v2 and a /<rubric>/<id> article",
    entries=[dict(kind="rss", url="https://tass.ru/rss/v2.xml", home_url="https://tass.ru/")],
    articles=[dict(url="https://tass.ru/proisshestviya/25512345", date="2026-11-24", lang="ru", script="Cyrl",
                   title="В Петербурге ликвидировали колл-центр мошенников",
                   paras=["Полиция Санкт-Петербурга прекратила работу нелегального колл-центра, обзванивавшего пожилых людей.",
                          "В офисе изъяли компьютеры, телефоны и списки с данными потенциальных жертв.",
                          "Задержаны несколько операторов и организатор схемы."])])

SITES["ansa-cronaca"] = dict(
    name="ANSA", html_lang="it", title_suffix="- Cronaca - Ansa.it", chrome=IT,
    classes=dict(article="news-txt", text="post-single-text", h1="news-title", meta="news-date", share="share-buttons", header="header", nav="nav-menu", footer="footer", related="news-related"),
    home="/", tz="+01:00",
    modelled_on="SOURCES-NOTES.md ansa.it row: cronaca section feed, article URLs /sito/notizie/<section>/YYYY/MM/DD/<slug>_<uuid>.html",
    modelled_detail="ansa.it cronaca RSS and an article with the slug_UUID URL",
    entries=[dict(kind="rss", url="https://www.ansa.it/sito/notizie/cronaca/cronaca_rss.xml", home_url="https://www.ansa.it/")],
    articles=[dict(url="https://www.ansa.it/sito/notizie/cronaca/2026/11/22/truffa-online-scoperta-a-bari_0c1f2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b.html", date="2026-11-22", lang="it", script="Latn",
                   title="Truffa online sui finti investimenti, scoperta a Bari",
                   paras=["La Polizia postale di Bari ha scoperto una rete che proponeva finti investimenti in criptovalute.",
                          "Le vittime venivano contattate sui social e convinte a versare somme sempre più alte.",
                          "Gli investigatori invitano a diffidare di guadagni facili promessi da sconosciuti."])])

SITES["poliziadistato-it"] = dict(
    name="Polizia di Stato", html_lang="it", title_suffix="- Polizia di Stato", chrome=IT,
    classes=dict(article="articolo", text="testo-articolo", h1="titolo-articolo", meta="data-articolo", share="condividi", header="header", nav="menu-principale", footer="footer"),
    home="/", tz="+01:00",
    modelled_on="SOURCES-NOTES.md poliziadistato.it row: article URLs /articolo/<id or slug>; the archive listing URL is a guess",
    modelled_detail="poliziadistato.it archive listing and /articolo/<id> page",
    entries=[dict(kind="listing", url="https://www.poliziadistato.it/archivio/category/1/tutti-gli-articoli", item='<div class="elenco-item"><a href="{url}">{title}</a><span>{date}</span></div>')],
    articles=[dict(url="https://www.poliziadistato.it/articolo/10652", date="2026-11-21", lang="it", script="Latn",
                   title="Sicurezza in rete, incontri nelle scuole della Lombardia",
                   paras=["Gli agenti della Polizia postale hanno incontrato gli studenti di venti scuole lombarde.",
                          "Durante gli incontri si è parlato di cyberbullismo, di furto d'identità e di come proteggere i propri profili.",
                          "Il progetto proseguirà nei prossimi mesi in altre regioni."])])

WP_IT = dict(article="post type-post", text="entry-content", h1="entry-title", meta="entry-meta", share="sharedaddy sd-sharing-enabled", header="site-header", nav="main-navigation", footer="site-footer", related="jp-relatedposts")
SITES["cert-agid"] = dict(
    name="CERT-AgID", html_lang="it-IT", title_suffix="– CERT-AgID", chrome=dict(IT, comments=None), classes=WP_IT, home="/", date_style="time", tz="+01:00",
    modelled_on="SOURCES-NOTES.md cert-agid.gov.it row: WordPress with /category/news/; /feed/ and /news/<slug>/ permalinks are guesses",
    modelled_detail="cert-agid.gov.it WordPress feed and post",
    entries=[dict(kind="rss", url="https://cert-agid.gov.it/feed/", home_url="https://cert-agid.gov.it/")],
    articles=[dict(url="https://cert-agid.gov.it/news/campagna-di-phishing-a-tema-rimborso-fiscale/", date="2026-11-20", lang="it", script="Latn",
                   title="Campagna di phishing a tema rimborso fiscale",
                   paras=["È in corso una campagna di phishing che sfrutta il tema di un falso rimborso fiscale.",
                          "Le email rimandano a una pagina che imita il sito dell'amministrazione e chiede i dati della carta.",
                          "Gli indicatori di compromissione sono stati condivisi con le pubbliche amministrazioni accreditate."])])

SITES["progetto-radici"] = dict(
    name="Progetto Radici", html_lang="it-IT", title_suffix="– Progetto Radici", chrome=IT, classes=WP_IT, home="/", date_style="time", tz="+01:00",
    modelled_on="SOURCES-NOTES.md 'Italian WordPress blogs' row: /YYYY/MM/DD/<slug>/ permalinks, /feed/ (WordPress default); the CYBERPOL-Kazakhstan release type",
    modelled_detail="a WordPress blog (progetto-radici.it style) republishing a CYBERPOL release",
    entries=[dict(kind="rss", url="https://www.progetto-radici.it/feed/", home_url="https://www.progetto-radici.it/")],
    articles=[dict(url="https://www.progetto-radici.it/2026/11/19/cyberpol-incontro-con-esperti-del-kazakhstan/", date="2026-11-19", lang="it", script="Latn",
                   title="CYBERPOL: incontro con esperti del Kazakhstan sulla sicurezza informatica",
                   paras=["Riceviamo e pubblichiamo un comunicato di CYBERPOL su un incontro con esperti kazaki di sicurezza informatica.",
                          "Secondo il comunicato, le parti hanno discusso di formazione comune e di scambio di informazioni sulle frodi online.",
                          "Il testo integrale è disponibile sul sito dell'organizzazione."])])

SITES["cyberpolice-ir"] = dict(
    name="پلیس فتا", html_lang="fa", rtl=True, title_suffix="| پلیس فتا", chrome=FA,
    classes=dict(article="news-content", text="news-body", h1="news-title", meta="news-date", share="share-links", header="header", nav="menu", footer="footer", related="related-news"),
    home="/", tz="+03:30",
    modelled_on="a guess: cyberpolice.ir listing /news and article URLs /news/<id>; markup invented (the site refused connections to the research routes)",
    modelled_detail="cyberpolice.ir news listing and article (guessed shapes)",
    entries=[dict(kind="listing", url="https://www.cyberpolice.ir/news", item='<div class="news-item"><a href="{url}">{title}</a></div>')],
    articles=[dict(url="https://www.cyberpolice.ir/news/184512", date="2026-11-18", lang="fa", script="Arab",
                   title="هشدار پلیس فتا درباره پیامک های جعلی",
                   paras=["پلیس فتا درباره ارسال پیامک های جعلی با عنوان ابلاغیه قضایی به شهروندان هشدار داد.",
                          "این پیامک ها حاوی پیوندی هستند که با نصب یک برنامه مخرب اطلاعات بانکی کاربر را سرقت می کند.",
                          "شهروندان می توانند موارد مشکوک را به مرکز فوریت های سایبری گزارش دهند."])])

SITES["europol"] = dict(
    name="Europol", html_lang="en", title_suffix="| Europol", chrome=EN,
    classes=dict(article="node--type-news", text="field--name-body", h1="page-header", meta="news-date", share="social-share", header="header", nav="main-navigation", footer="footer", related="related-news"),
    home="/", tz="+01:00", feed_no_dates=True,
    modelled_on="SOURCES-NOTES.md europol.europa.eu row: /cms/api/rss/news with about ten items and no item dates, article URLs /media-press/newsroom/news/<slug>",
    modelled_detail="the Europol news feed (no item dates) and a newsroom article",
    entries=[dict(kind="rss", url="https://www.europol.europa.eu/cms/api/rss/news", home_url="https://www.europol.europa.eu/")],
    articles=[dict(url="https://www.europol.europa.eu/media-press/newsroom/news/phishing-kit-sellers-arrested-in-joint-operation", date="2026-11-20", lang="en", script="Latn",
                   title="Phishing kit sellers arrested in joint operation",
                   paras=["Police in four countries have arrested suspected sellers of phishing kits used against bank customers across Europe.",
                          "The kits imitated the login pages of dozens of banks and were rented out through an online shop.",
                          "Europol supported the investigation with analysis and coordinated the action day."])])

SITES["osce"] = dict(
    name="OSCE", html_lang="en", title_suffix="| OSCE", chrome=EN,
    classes=dict(article="node-press-release", text="field-name-body", h1="title", meta="date-display-single", share="addthis", header="header", nav="main-menu", footer="footer"),
    home="/", tz="+06:00",
    modelled_on="SOURCES-NOTES.md osce.org row: press releases as plain HTML at /<office slug>/<node id> (the Almaty cybercrime workshop example); the /press-releases listing and ?page=N are guesses",
    modelled_detail="OSCE press-release listing with pagination and a field-office release",
    entries=[dict(kind="listing", url="https://www.osce.org/press-releases", item='<div class="views-row"><a href="{url}">{title}</a></div>',
                  extra='<ul class="pager"><li><a href="https://www.osce.org/press-releases?page=1">2</a></li></ul>'),
             dict(kind="listing", url="https://www.osce.org/press-releases?page=1", item='<div class="views-row"><a href="{url}">{title}</a></div>')],
    articles=[dict(url="https://www.osce.org/programme-office-in-astana/571234", date="2026-11-17", lang="en", script="Latn",
                   title="OSCE trains Kazakh investigators on cryptocurrency tracing",
                   paras=["The OSCE Programme Office in Astana held a training course on tracing cryptocurrency transactions for investigators.",
                          "Participants practised following payments through exchanges and mixing services.",
                          "The course is part of a wider programme on countering cybercrime in Central Asia."])])

SITES["interpol"] = dict(
    name="INTERPOL", html_lang="en", title_suffix="- INTERPOL", chrome=EN,
    classes=dict(article="rightColumn", text="content-text", h1="title", meta="date", share="share-links", header="header", nav="menu", footer="footer"),
    home="/en", tz="+01:00",
    modelled_on="SOURCES-NOTES.md interpol.int row: article URLs /en/News-and-Events/News/<year>/<slug> (seen), the /rss feed (claimed, never verified)",
    modelled_detail="the INTERPOL news feed and a News-and-Events article",
    entries=[dict(kind="rss", url="https://www.interpol.int/en/News-and-Events/News/rss", home_url="https://www.interpol.int/en")],
    articles=[dict(url="https://www.interpol.int/en/News-and-Events/News/2026/Operation-targets-online-investment-fraud-in-Asia", date="2026-11-19", lang="en", script="Latn",
                   title="Operation targets online investment fraud in Asia",
                   paras=["An operation coordinated by INTERPOL has led to hundreds of arrests for online investment fraud across Asia.",
                          "Officers froze bank accounts and seized devices used to run fake trading platforms.",
                          "Member countries shared intelligence through the organization's financial crime unit."])])

SITES["unodc"] = dict(
    name="UNODC", html_lang="en", title_suffix="", chrome=EN,
    classes=dict(article="frontpage-story", text="story-text", h1="story-title", meta="story-date", share="share", header="header", nav="topnav", footer="footer"),
    home="/unodc/en/", tz="+01:00",
    modelled_on="SOURCES-NOTES.md unodc.org row: /unodc/en/frontpage/rss.xml (claimed); article URLs /unodc/en/frontpage/<YYYY>/<Month>/<slug>.html are a guess from memory",
    modelled_detail="the UNODC front-page feed and a story (guessed URL shape)",
    entries=[dict(kind="rss", url="https://www.unodc.org/unodc/en/frontpage/rss.xml", home_url="https://www.unodc.org/unodc/en/")],
    articles=[dict(url="https://www.unodc.org/unodc/en/frontpage/2026/November/central-asian-prosecutors-discuss-cybercrime-cases.html", date="2026-11-16", lang="en", script="Latn",
                   title="Central Asian prosecutors discuss cross-border cybercrime cases",
                   paras=["Prosecutors from Central Asia met in Tashkent to discuss how to handle cybercrime cases that cross borders.",
                          "The meeting focused on requests for electronic evidence held by foreign service providers.",
                          "Participants agreed to set up a network of contact points for urgent requests."])])
