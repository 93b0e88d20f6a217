"""Issue 39: can the multilingual embedder tell a right English rendering of an Arabic sentence from a
corrupted one? Calibrates render.MIN_MEANING.

Twelve sentences of the figures-tune collection (a tuning collection: no non-factoid held-out set is
written over it), each with a right rendering written by hand and three corruptions of it: negation
flipped, main verb changed, an entity swapped. The cosine of each rendering with its Arabic sentence
(EmbeddingGemma, as the product embeds documents) is printed, with the threshold that best separates
right from corrupted and the AUROC of each corruption.

    .venv/bin/python docs/experiments/rendering_meaning.py
"""

from __future__ import annotations

import statistics

from rag import Assistant
from rag.answering.quoted.render import MIN_MEANING, negation_agrees

CASES = [
    ("أما سد الوحدة، أكبر سدود المملكة بطاقة تخزين تبلغ 3.52 مليار متر مكعب، فقد وصلت نسبة ملئه إلى 59.4 بالمئة، بينما ما يزال سد المسيرة، ثاني أكبر منشأة مائية في البلاد، عند مستوى ضعيف لا يتعدى 6.2 بالمئة.",
     "The Al Wahda dam, the kingdom's largest with a storage capacity of 3.52 billion cubic metres, reached a filling rate of 59.4 percent, while the Al Massira dam, the country's second largest water facility, remains at a weak level not exceeding 6.2 percent.",
     "The Al Wahda dam, the kingdom's largest with a storage capacity of 3.52 billion cubic metres, did not reach a filling rate of 59.4 percent, while the Al Massira dam, the country's second largest water facility, is no longer at a weak level of 6.2 percent.",
     "The Al Wahda dam, the kingdom's largest with a storage capacity of 3.52 billion cubic metres, lost 59.4 percent of its water, while the Al Massira dam, the country's second largest water facility, overflowed at 6.2 percent.",
     "The Al Massira dam, the kingdom's largest with a storage capacity of 3.52 billion cubic metres, reached a filling rate of 59.4 percent, while the Al Wahda dam, the country's second largest water facility, remains at a weak level not exceeding 6.2 percent."),
    ("وأفادت المديرية العامة للأرصاد الجوية بأن التساقطات المسجلة منذ فاتح سبتمبر/أيلول 2025 بلغت معدلا وطنيا قدره 186 ملم، أي بزيادة 31 بالمئة مقارنة بموسم عادي.",
     "The General Directorate of Meteorology said rainfall recorded since 1 September 2025 reached a national average of 186 mm, an increase of 31 percent compared with a normal season.",
     "The General Directorate of Meteorology said rainfall recorded since 1 September 2025 did not reach a national average of 186 mm, no increase compared with a normal season.",
     "The General Directorate of Meteorology said rainfall recorded since 1 September 2025 fell to a national average of 186 mm, a decrease of 31 percent compared with a normal season.",
     "The Ministry of Agriculture said rainfall recorded since 1 September 2025 reached a national average of 186 mm, an increase of 31 percent compared with a normal season."),
    ("وأضاف الفاسي أن مشروع الربط المائي بين حوضي سبو وأبي رقراق، المعروف بـ\"الطريق السيار المائي\"، مكن منذ تشغيله في أغسطس/آب 2023 من تحويل أكثر من 470 مليون متر مكعب نحو محور الرباط والدار البيضاء، على مسافة تقارب 67 كيلومترا.",
     "El Fassi added that the water link between the Sebou and Bouregreg basins, known as the \"water highway\", has transferred more than 470 million cubic metres to the Rabat-Casablanca axis since it began operating in August 2023, over a distance of about 67 kilometres.",
     "El Fassi added that the water link between the Sebou and Bouregreg basins, known as the \"water highway\", has not transferred any water to the Rabat-Casablanca axis since August 2023, over a distance of about 67 kilometres.",
     "El Fassi added that the water link between the Sebou and Bouregreg basins, known as the \"water highway\", has drained more than 470 million cubic metres from the Rabat-Casablanca axis since August 2023, over a distance of about 67 kilometres.",
     "El Fassi added that the water link between the Sebou and Moulouya basins, known as the \"water highway\", has transferred more than 470 million cubic metres to the Tangier-Tetouan axis since it began operating in August 2023, over a distance of about 67 kilometres."),
    ("أعلنت وزارة الصحة والسكان المصرية، الأربعاء، انتهاء المرحلة الأولى من الحملة القومية للكشف المبكر عن الأمراض المزمنة والاعتلال الكلوي، بعد فحص 14.2 مليون مواطن في 18 محافظة خلال 120 يوما.",
     "Egypt's Ministry of Health and Population announced on Wednesday the end of the first phase of the national campaign for early detection of chronic diseases and kidney disease, after screening 14.2 million citizens in 18 governorates over 120 days.",
     "Egypt's Ministry of Health and Population announced on Wednesday that the first phase of the national campaign for early detection of chronic diseases and kidney disease has not ended, without screening 14.2 million citizens in 18 governorates.",
     "Egypt's Ministry of Health and Population announced on Wednesday the start of the first phase of the national campaign for early detection of chronic diseases and kidney disease, aiming to screen 14.2 million citizens in 18 governorates over 120 days.",
     "Jordan's Ministry of Health announced on Wednesday the end of the first phase of the national campaign for early detection of chronic diseases and kidney disease, after screening 14.2 million citizens in 18 governorates over 120 days."),
    ("وقال الدكتور عبد الستار إن التطبيق الإلكتروني للحملة استقبل 9.3 مليون طلب تسجيل مسبق، وهو ما ساعد على تقليص متوسط زمن الانتظار داخل الوحدات الصحية إلى 22 دقيقة، مقارنة بنحو 45 دقيقة في الأسابيع الأولى.",
     "Dr Abdel Sattar said the campaign's app received 9.3 million pre-registration requests, which helped cut the average waiting time in health units to 22 minutes, compared with about 45 minutes in the first weeks.",
     "Dr Abdel Sattar said the campaign's app received 9.3 million pre-registration requests, which did not help cut the average waiting time in health units, still 45 minutes rather than 22.",
     "Dr Abdel Sattar said the campaign's app rejected 9.3 million pre-registration requests, which raised the average waiting time in health units to 22 minutes, compared with about 45 minutes in the first weeks.",
     "The health minister said the campaign's call centre received 9.3 million pre-registration requests, which helped cut the average waiting time in hospitals to 22 minutes, compared with about 45 minutes in the first weeks."),
    ("وتنطلق المرحلة الثانية من الحملة يوم السبت 16 مايو/أيار الجاري في المحافظات التسع المتبقية، وتستهدف فحص 8.5 مليون مواطن، على أن تعمل الوحدات يوميا من التاسعة صباحا حتى التاسعة مساء عدا يوم الجمعة.",
     "The second phase of the campaign starts on Saturday 16 May in the nine remaining governorates and aims to screen 8.5 million citizens, with units working daily from 9 am to 9 pm except on Fridays.",
     "The second phase of the campaign will not start on Saturday 16 May in the nine remaining governorates and will not screen 8.5 million citizens, with units closed daily from 9 am to 9 pm.",
     "The second phase of the campaign ends on Saturday 16 May in the nine remaining governorates after screening 8.5 million citizens, with units working daily from 9 am to 9 pm except on Fridays.",
     "The second phase of the campaign starts on Saturday 16 May in Cairo and Alexandria and aims to screen 8.5 million children, with units working daily from 9 am to 9 pm except on Fridays."),
    ("وشارك في المعرض، الذي افتُتح الأربعاء 15 نيسان/أبريل في مدينة عمّان للمعارض، 640 شركة من 27 دولة، من بينها 412 شركة أردنية، وتوزعت الأجنحة على مساحة عرض بلغت 32 ألف متر مربع، فيما استقبل المعرض نحو 58 ألف زائر.",
     "The fair, which opened on Wednesday 15 April at the Amman exhibition city, brought together 640 companies from 27 countries, 412 of them Jordanian, with pavilions over 32,000 square metres, and received about 58,000 visitors.",
     "The fair, which opened on Wednesday 15 April at the Amman exhibition city, did not bring together 640 companies from 27 countries, none of them Jordanian, and received no visitors.",
     "The fair, which closed on Wednesday 15 April at the Amman exhibition city, turned away 640 companies from 27 countries, 412 of them Jordanian, with pavilions over 32,000 square metres, and lost about 58,000 visitors.",
     "The fair, which opened on Wednesday 15 April in Riyadh, brought together 640 companies from 27 countries, 412 of them Saudi, with pavilions over 32,000 square metres, and received about 58,000 visitors."),
    ("ولفت إلى أن المصانع الأردنية باتت تصدر منتجاتها إلى أكثر من 140 سوقا حول العالم، مقابل 127 سوقا قبل خمس سنوات.",
     "He noted that Jordanian factories now export their products to more than 140 markets worldwide, against 127 markets five years ago.",
     "He noted that Jordanian factories no longer export their products to more than 140 markets worldwide, against 127 markets five years ago.",
     "He noted that Jordanian factories now import their products from more than 140 markets worldwide, against 127 markets five years ago.",
     "He noted that Egyptian factories now export their products to more than 140 markets worldwide, against 127 markets five years ago."),
    ("وقال المهندس ماجد العتيبي، الرئيس التنفيذي للشركة السعودية لشراء الطاقة، إن الجولة استقطبت 23 عرضا من تحالفات تضم شركات من 11 دولة، وإن المنافسة الشديدة أسهمت في خفض متوسط التعرفة بنحو 8 بالمئة مقارنة بالجولة السادسة.",
     "Engineer Majed Al-Otaibi, chief executive of the Saudi Power Procurement Company, said the round attracted 23 bids from consortia including companies from 11 countries, and that fierce competition helped cut the average tariff by about 8 percent compared with the sixth round.",
     "Engineer Majed Al-Otaibi, chief executive of the Saudi Power Procurement Company, said the round did not attract 23 bids, and that competition did not help cut the average tariff compared with the sixth round.",
     "Engineer Majed Al-Otaibi, chief executive of the Saudi Power Procurement Company, said the round rejected 23 bids from consortia including companies from 11 countries, and that fierce competition raised the average tariff by about 8 percent compared with the sixth round.",
     "Engineer Majed Al-Otaibi, chief executive of Aramco, said the round attracted 23 bids from consortia including companies from 11 countries, and that fierce competition helped cut the average tariff by about 8 percent compared with the sixth round."),
    ("وأوضح أن درجات الحرارة تجاوزت 44 درجة مئوية في عدد من ولايات الوسط والجنوب خلال شهر جويلية/يوليو، وهو ما أدى إلى تساقط جزء من الأزهار والثمار، قبل أن تسهم أمطار سبتمبر/أيلول في تحسين حجم حبات الزيتون في الشمال والساحل.",
     "He explained that temperatures exceeded 44 degrees Celsius in several central and southern governorates in July, which caused some flowers and fruit to drop, before September rains helped improve the size of the olives in the north and the coast.",
     "He explained that temperatures did not exceed 44 degrees Celsius in central and southern governorates in July, so no flowers or fruit dropped, and September rains did not improve the size of the olives.",
     "He explained that temperatures fell below 44 degrees Celsius in several central and southern governorates in July, which helped flowers and fruit grow, before September rains damaged the olives in the north and the coast.",
     "He explained that temperatures exceeded 44 degrees Celsius in several northern governorates in July, which caused some flowers and fruit to drop, before September rains helped improve the size of the olives in the south and the desert."),
    ("وأعلنت وزارة الفلاحة والموارد المائية والصيد البحري عن فتح خط تمويل بقيمة 150 مليون دينار لفائدة المصدرين والمعاصر لتمويل عمليات الخزن وشراء الزيت من الفلاحين، بهدف الحد من الضغط على الأسعار في ذروة الموسم.",
     "The Ministry of Agriculture, Water Resources and Fisheries announced a 150 million dinar credit line for exporters and mills to finance storage and the purchase of oil from farmers, to ease pressure on prices at the height of the season.",
     "The Ministry of Agriculture, Water Resources and Fisheries announced it would not open a 150 million dinar credit line for exporters and mills, and would not finance storage or the purchase of oil from farmers.",
     "The Ministry of Agriculture, Water Resources and Fisheries announced it had closed a 150 million dinar credit line for exporters and mills, to raise prices at the height of the season.",
     "The Central Bank announced a 150 million dinar credit line for importers and supermarkets to finance storage and the purchase of wheat from traders, to ease pressure on prices at the height of the season."),
    ("وانطلق موسم الجني رسميا يوم الأحد 8 نوفمبر في ولايات الشمال، ويشارك فيه ما يقارب 120 ألف عامل موسمي، يتراوح أجر الواحد منهم بين 30 و35 دينارا في اليوم، وسط شكاوى متكررة من الفلاحين بشأن نقص اليد العاملة.",
     "The harvest season officially began on Sunday 8 November in the northern governorates, with about 120,000 seasonal workers each paid between 30 and 35 dinars a day, amid repeated complaints from farmers about a shortage of labour.",
     "The harvest season did not begin on Sunday 8 November in the northern governorates, and no seasonal workers took part, with farmers reporting no shortage of labour.",
     "The harvest season officially ended on Sunday 8 November in the northern governorates, after about 120,000 seasonal workers went on strike over pay of between 30 and 35 dinars a day.",
     "The harvest season officially began on Sunday 8 November in the southern oases, with about 120,000 soldiers each paid between 30 and 35 dinars a day, amid repeated complaints from traders about a shortage of trucks."),
]
KINDS = ("negation", "verb", "entity")
SIMS: list[list[float]] = []


def main() -> None:
    embeddings = Assistant().embeddings
    right, wrong = [], {k: [] for k in KINDS}
    for arabic, good, *bad in CASES:
        vectors = embeddings.embed_documents([arabic, good, *bad])
        sims = [sum(a * b for a, b in zip(vectors[0], v)) for v in vectors[1:]]
        SIMS.append(sims)
        right.append(sims[0])
        for kind, sim in zip(KINDS, sims[1:]):
            wrong[kind].append(sim)
        print(" ".join(f"{s:.3f}" for s in sims))
    everything = [s for v in wrong.values() for s in v]
    print(f"right: mean {statistics.mean(right):.3f}, min {min(right):.3f}, max {max(right):.3f}")
    for kind, sims in wrong.items():
        auroc = sum((r > w) + 0.5 * (r == w) for r in right for w in sims) / (len(right) * len(sims))
        print(f"{kind}: mean {statistics.mean(sims):.3f}, max {max(sims):.3f}, AUROC right vs {kind} {auroc:.3f}")
    best = max(sorted(set(right + everything)), key=lambda t: sum(r >= t for r in right) + sum(w < t for w in everything))
    kept = sum(r >= best for r in right) / len(right)
    caught = sum(w < best for w in everything) / len(everything)
    print(f"best threshold {best:.3f}: keeps {kept:.2f} of right renderings, drops {caught:.2f} of corrupted")
    cases = [(arabic, texts) for arabic, *texts in CASES]
    passed = [[negation_agrees(arabic, t) for t in texts] for arabic, texts in cases]
    print(f"negation table: keeps {sum(p[0] for p in passed)}/{len(passed)} right, drops "
          + ", ".join(f"{k} {sum(not p[i + 1] for p in passed)}/{len(passed)}" for i, k in enumerate(KINDS)))
    both = [[negation_agrees(a, t) and s >= MIN_MEANING for t, s in zip(texts, sims)]
            for (a, texts), sims in zip(cases, SIMS)]
    print(f"both checks at {MIN_MEANING}: keeps {sum(b[0] for b in both)}/{len(both)} right, drops "
          + ", ".join(f"{k} {sum(not b[i + 1] for b in both)}/{len(both)}" for i, k in enumerate(KINDS)))
    for t in (0.55, 0.60, 0.65, 0.70, 0.72, 0.74):
        print(f"at {t:.2f}: keeps {sum(r >= t for r in right) / len(right):.2f} right, drops "
              + ", ".join(f"{k} {sum(w < t for w in v) / len(v):.2f}" for k, v in wrong.items()))


if __name__ == "__main__":
    main()
