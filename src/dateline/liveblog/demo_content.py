"""Demo content for one Dateline live blog: Storm Idris in the Vale of Harrow.

This is ORIGINAL, FICTIONAL demo content written for Dateline. The storm, the
Vale of Harrow and every town, river, road, agency, person, phone number and
photo credit in it are invented; nothing here is real news or is copied from
any publication. Links point only at example.org.

``UPDATES`` is ordered oldest first. ``minutes`` counts from the start of the
coverage, so the loader can place the blog at any date. Each image is described
rather than stored: the loader draws a simple picture for its ``scene``.
"""

from typing import Any

BLOG: dict[str, str] = {
    "slug": "storm-idris",
    "title": "Storm Idris: flooding across the fictional Vale of Harrow – live",
    "standfirst": (
        "Rescue crews evacuate riverside streets as a second night of torrential rain "
        "swells the River Harrow. A red warning for rain covers the whole vale."
    ),
    "category": "Weather",
    "time_zone": "Europe/London",
}

RECAP: list[str] = [
    "One man has died after his car was swept into the River Sile near Wendle Cross.",
    "Fire crews have rescued 417 people since midnight, most of them by boat in "
    "Sallowmere and Amberhithe.",
    "About 1,240 people have been evacuated from riverside streets in Kestrel Bridge.",
    "The River Harrow hit a record 5.82 metres at Tarrow St Giles; Orrin Ferry is "
    "braced for the peak overnight.",
    "The red rain warning has been downgraded to amber, but severe flood warnings remain in force.",
]

UPDATES: list[dict[str, Any]] = [
    {
        "minutes": 0,
        "headline": "Storm Idris: what we know so far",
        "body": (
            "Good morning and welcome to our live coverage of **Storm Idris**, which has "
            "brought a second night of torrential rain to the Vale of Harrow.\n\n"
            "The Northern Meteorological Service (NMS) has a **red warning** for rain in "
            "force across the whole vale until this evening, the first it has issued for "
            "the region in eleven years. Rivers are rising quickly, and emergency services "
            "say they helped dozens of people out of flooded homes overnight.\n\n"
            "Our reporters in Kestrel Bridge, Sallowmere and Amberhithe will bring you "
            "updates throughout the day."
        ),
        "key_event": False,
        "pinned": False,
        "images": [
            {
                "alt": "Map of the Vale of Harrow with the red warning area shaded over "
                "the river valley",
                "caption": "The red rain warning covers the whole of the Vale of Harrow.",
                "credit": "Dateline graphic",
                "scene": "map",
            }
        ],
        "author": "Elin Marsh",
    },
    {
        "minutes": 9,
        "headline": None,
        "body": (
            "The NMS has published overnight rainfall totals. The wettest places are all "
            "on the high ground that drains into the River Harrow and its tributary, "
            "the Sile:\n\n"
            "- **Cairn Ollow summit:** 164mm in 36 hours\n"
            "- **Sallowmere reservoir:** 131mm\n"
            "- **Kestrel Bridge:** 98mm\n"
            "- **Tarrow St Giles:** 87mm\n\n"
            "For comparison, the vale would normally expect about 110mm of rain in the "
            "whole of this month."
        ),
        "key_event": False,
        "pinned": False,
        "images": [],
        "author": "Elin Marsh",
    },
    {
        "minutes": 17,
        "headline": "How to get help",
        "body": (
            "If you are in danger from flood water, **call the emergency services "
            "immediately**. Do not try to walk or drive through flood water: 30cm of "
            "moving water is enough to float a car.\n\n"
            "- **Harrow Floodline** (warnings and advice): 0300 555 0192\n"
            "- **Vale council storm helpline** (rest centres, sandbags, transport): "
            "0300 555 0147\n"
            "- **Valegrid power cuts:** 0800 555 0310\n"
            "- **Rest centres** are open at Kestrel Bridge leisure centre, Amberhithe "
            "town hall and St Brannoc’s school in Sallowmere\n\n"
            "Live river levels are published on the [Harrow Waterways Authority "
            "website](https://example.org/harrow-waterways/levels). We will keep this "
            "post at the top of the page."
        ),
        "key_event": False,
        "pinned": True,
        "images": [],
        "author": "Elin Marsh",
    },
    {
        "minutes": 28,
        "headline": None,
        "body": (
            "Harrow Valley Railway has suspended all trains between Kestrel Bridge and "
            "Orrin Ferry after water was found over the tracks in two places near "
            "Amberhithe. A spokesperson said engineers could not inspect the line safely "
            "until the water went down, and advised passengers not to travel today.\n\n"
            "There are no replacement buses, because several main roads are also closed."
        ),
        "key_event": False,
        "pinned": False,
        "images": [],
        "author": "Tomas Reyne",
    },
    {
        "minutes": 41,
        "headline": "Evacuation ordered in Kestrel Bridge",
        "body": (
            "Vale Constabulary has told residents of about **400 homes** on the riverside "
            "streets of Kestrel Bridge to leave now. Officers are going door to door along "
            "Wharf Row, Tanner’s Lane and the Meadows estate.\n\n"
            "People are loading cars in the rain while the river is already over the "
            "footpath on the quay. Buses are taking residents without transport to the "
            "leisure centre, which has opened as a rest centre.\n\n"
            "Chief Inspector Rhoda Kenning said: “This is not a step we take lightly. The "
            "river is forecast to rise by another metre this morning and we want everyone "
            "out while the roads are still passable.”"
        ),
        "key_event": True,
        "pinned": False,
        "images": [
            {
                "alt": "Residents with bags and a pet carrier wait beside a police van on "
                "a wet street",
                "caption": "Residents of Wharf Row wait for a bus to the rest centre in "
                "Kestrel Bridge.",
                "credit": "Mara Quell/Northwind Press",
                "scene": "crowd",
            }
        ],
        "author": "Tomas Reyne",
    },
    {
        "minutes": 55,
        "headline": None,
        "body": (
            "Dr Hanne Voss, chief forecaster at the NMS, told a briefing that the heaviest "
            "rain should ease by the afternoon, but that rivers would keep rising long "
            "after that.\n\n"
            "“The rain that fell on the hills overnight is still on its way down the "
            "valley,” she said. “People downstream, especially around Tarrow St Giles and "
            "Orrin Ferry, should not be reassured by a drier sky this afternoon.”"
        ),
        "key_event": False,
        "pinned": False,
        "images": [],
        "author": "Elin Marsh",
    },
    {
        "minutes": 68,
        "headline": None,
        "body": (
            "Harrow Vale council says **43 schools** are closed today, including every "
            "primary school in Kestrel Bridge and Amberhithe. The full list is on the "
            "[council’s closures page](https://example.org/harrow-vale/school-closures).\n\n"
            "Both campuses of Vale College are also shut, and the council has postponed a "
            "planning committee that was due to meet this afternoon."
        ),
        "key_event": False,
        "pinned": False,
        "images": [],
        "author": "Elin Marsh",
    },
    {
        "minutes": 80,
        "headline": "Old Sile Bridge closed at Orrin Ferry",
        "body": (
            "Police have closed the Old Sile Bridge at Orrin Ferry after debris built up "
            "against its arches overnight. Drivers are being sent on a long diversion "
            "through Tarrow St Giles."
        ),
        "key_event": False,
        "pinned": False,
        "images": [],
        "author": "Tomas Reyne",
    },
    {
        "minutes": 94,
        "headline": None,
        "body": (
            "Valegrid says **18,400 homes and businesses** are without electricity, most "
            "of them around Sallowmere and Amberhithe. Two substations have been switched "
            "off as a precaution because flood water is close to the equipment.\n\n"
            "A spokesperson, Sunny Adair, said crews were ready to reconnect customers "
            "“as soon as it is safe to do so” but could not say when that would be."
        ),
        "key_event": False,
        "pinned": False,
        "images": [],
        "author": "Elin Marsh",
    },
    {
        "minutes": 108,
        "headline": "Rescue boats sent to Sallowmere",
        "body": (
            "Vale Fire and Rescue Service has sent **six boat teams** to Sallowmere, "
            "where the Sile has burst its banks and water is waist-deep in parts of Mill "
            "Street and Orchard Close.\n\n"
            "I watched one crew bring an elderly couple and their dog out of a first-floor "
            "window and on to an inflatable boat. Group commander Ade Lorimer said crews "
            "had rescued 58 people in the town since midnight, and that new calls were "
            "coming in every few minutes."
        ),
        "key_event": False,
        "pinned": False,
        "images": [
            {
                "alt": "Firefighters in dry suits guide an inflatable boat along a flooded "
                "residential street",
                "caption": "Fire crews on Mill Street in Sallowmere, where the water is "
                "waist-deep.",
                "credit": "Jonah Feld/Harrow Echo",
                "scene": "flood",
            }
        ],
        "author": "Priya Castell",
    },
    {
        "minutes": 122,
        "headline": None,
        "body": (
            "This picture from Amberhithe, a few miles downstream of Kestrel Bridge, shows "
            "rain still falling on the market square, where shopkeepers have been "
            "stacking sandbags in doorways since before dawn.\n\n"
            "Most shops on the square have not opened. One bakery owner said she had "
            "carried her stock upstairs at 4am: “We did all this in 2009 and told "
            "ourselves we’d never have to again.”"
        ),
        "key_event": False,
        "pinned": False,
        "images": [
            {
                "alt": "Rain falls on a market square lined with sandbagged shop fronts",
                "caption": "Sandbags outside shops on the market square in Amberhithe.",
                "credit": "Sadie Brann/Northwind Press",
                "scene": "rain",
            }
        ],
        "author": "Elin Marsh",
    },
    {
        "minutes": 139,
        "headline": "Flood defences overtopped in Amberhithe",
        "body": (
            "The Harrow Waterways Authority has confirmed that water is flowing over the "
            "flood wall that protects the centre of **Amberhithe**. The wall, finished in "
            "2014, was designed to hold back a flood of the size expected once in 75 "
            "years.\n\n"
            "The authority has issued a **severe flood warning**, meaning danger to life, "
            "for the streets between the river and Chantry Street. About 260 properties "
            "are in the area.\n\n"
            "I am on my way there from Sallowmere and will update when I arrive."
        ),
        "key_event": True,
        "pinned": False,
        "images": [],
        "author": "Priya Castell",
    },
    {
        "minutes": 151,
        "headline": None,
        "body": (
            "I’m now in Amberhithe. Water is pouring over the wall in a sheet along about "
            "50 metres of its length and running down Quay Lane towards the square.\n\n"
            "Doreen Hatherley, 74, was leaving her house with a neighbour’s help. “I’ve "
            "lived here fifty years and never seen it come over the top,” she said. “They "
            "told us that wall was the end of it.”"
        ),
        "key_event": False,
        "pinned": False,
        "images": [],
        "author": "Priya Castell",
    },
    {
        "minutes": 166,
        "headline": "Rivers still rising, says Waterways Authority",
        "body": (
            "The Harrow Waterways Authority now has **19 flood warnings** and **7 severe "
            "flood warnings** in force across the vale. Its duty manager, Fenella Grice, "
            "said gauges on the River Harrow were still rising at every point downstream "
            "of Kestrel Bridge.\n\n"
            "You can check the [live gauge readings](https://example.org/harrow-waterways/"
            "gauges) for your area. The authority says its website is slow because of "
            "heavy demand, and asks people to call the Floodline if the page will not load."
        ),
        "key_event": False,
        "pinned": False,
        "images": [],
        "author": "Elin Marsh",
    },
    {
        "minutes": 182,
        "headline": "Care home evacuated in Sallowmere",
        "body": (
            "All **31 residents** of Elmhurst House care home in Sallowmere have been "
            "moved to safety after water came into the ground floor. Fire crews carried "
            "some residents to boats in chairs; others left in a high-clearance council "
            "lorry.\n\n"
            "The home’s manager, Ines Calloway, said staff had moved everyone upstairs "
            "during the night. “Nobody was hurt and nobody was frightened for long,” she "
            "said. “The crews were extraordinary.” The residents are being looked after "
            "at a sister home in Tarrow St Giles."
        ),
        "key_event": True,
        "pinned": False,
        "images": [
            {
                "alt": "A firefighter pushes a care home resident in a wheelchair towards "
                "a rescue boat",
                "caption": "A resident of Elmhurst House is helped to a rescue boat in Sallowmere.",
                "credit": "Vale Fire and Rescue Service",
                "scene": "flood",
            }
        ],
        "author": "Elin Marsh",
    },
    {
        "minutes": 199,
        "headline": None,
        "body": (
            "A fourth rest centre has opened, at Wendle Cross village hall. The council "
            "says 640 people spent at least part of the night in rest centres and that "
            "more camp beds arrived this morning.\n\n"
            "It is asking people who can stay with friends or family to do so, and to "
            "tell the storm helpline where they are."
        ),
        "key_event": False,
        "pinned": False,
        "images": [],
        "author": "Elin Marsh",
    },
    {
        "minutes": 215,
        "headline": None,
        "body": (
            "The main road through the valley, the **V14**, is now closed between Kestrel "
            "Bridge and Amberhithe, and police say several minor roads cannot be used.\n\n"
            "Here in Kestrel Bridge the water has covered the quay car park and is lapping "
            "at the doors of the pubs on Wharf Row. The street is almost empty; police "
            "have put cordons at each end."
        ),
        "key_event": False,
        "pinned": False,
        "images": [],
        "author": "Tomas Reyne",
    },
    {
        "minutes": 236,
        "headline": "Assembly leader chairs emergency meeting",
        "body": (
            "The leader of the Vale Assembly, **Corin Ashdown**, has chaired a meeting of "
            "the regional emergency committee and announced that 40 extra boat crews are "
            "coming from neighbouring fire services. In a statement afterwards she said:\n\n"
            "> This is the most serious flooding the vale has seen in a generation. I want "
            "to thank the firefighters, police officers, council staff and volunteers who "
            "have worked through the night. Our priority today is simple: keeping people "
            "alive and getting them somewhere warm and dry.\n\n"
            "Ms Ashdown is expected to visit Amberhithe this afternoon."
        ),
        "key_event": True,
        "pinned": False,
        "images": [],
        "author": "Elin Marsh",
    },
    {
        "minutes": 254,
        "headline": "More than 300 people rescued",
        "body": (
            "Vale Fire and Rescue Service has updated its figures. Crews have brought "
            "**322 people** to safety since midnight, most of them by boat: 142 in "
            "Sallowmere, 96 in Amberhithe, 61 in Kestrel Bridge and 23 in and around "
            "Wendle Cross.\n\n"
            "The service says it has answered more than 900 calls in twelve hours, nearly "
            "as many as it would expect in a normal month."
        ),
        "key_event": False,
        "pinned": False,
        "images": [],
        "author": "Elin Marsh",
    },
    {
        "minutes": 272,
        "headline": "Man dies after car swept into river near Wendle Cross",
        "body": (
            "Vale Constabulary has confirmed that a man has died after his car was swept "
            "off a flooded road and into the River Sile near the village of Wendle Cross.\n\n"
            "Police said the man, who was 67 and lived in the village, was pulled from "
            "the water by fire crews earlier this morning but died at the scene. His "
            "family has been told.\n\n"
            "It is the first death linked to Storm Idris."
        ),
        "key_event": True,
        "pinned": False,
        "images": [],
        "author": "Elin Marsh",
    },
    {
        "minutes": 289,
        "headline": None,
        "body": (
            "Chief Inspector Kenning has repeated the warning not to drive through flood "
            "water. She said officers had found 14 abandoned cars on flooded roads this "
            "morning, and that “every one of those cars could have been a tragedy”.\n\n"
            "Police are asking anyone who saw a silver estate car on the Wendle road "
            "earlier this morning to contact them."
        ),
        "key_event": False,
        "pinned": False,
        "images": [],
        "author": "Elin Marsh",
    },
    {
        "minutes": 305,
        "headline": None,
        "body": (
            "A break in the cloud over Kestrel Bridge – the first patch of sky here in "
            "two days. It is not expected to last: the NMS radar shows another band of "
            "heavy rain moving in from the west within the hour."
        ),
        "key_event": False,
        "pinned": False,
        "images": [
            {
                "alt": "A patch of pale blue sky between dark rain clouds above rooftops",
                "caption": "A brief break in the cloud over Kestrel Bridge.",
                "credit": "Mara Quell/Northwind Press",
                "scene": "sky",
            }
        ],
        "author": "Tomas Reyne",
    },
    {
        "minutes": 326,
        "headline": "Analysis: why the Vale of Harrow floods so quickly",
        "body": (
            "The Vale of Harrow has a shape that hydrologists worry about. The Harrow and "
            "the Sile both rise on the steep, thin-soiled slopes of Cairn Ollow, so rain "
            "runs off the hills instead of soaking in. The two rivers then meet just above "
            "Tarrow St Giles, where the valley narrows.\n\n"
            "That means the worst of a flood often reaches the lower valley hours after "
            "the rain has stopped – which is why forecasters keep telling people in Orrin "
            "Ferry not to be fooled by a dry afternoon.\n\n"
            "We looked at the history of flooding in the vale, and the defences built "
            "since 2009, in this [longer explainer](https://example.org/dateline/"
            "vale-floods-explainer)."
        ),
        "key_event": False,
        "pinned": False,
        "images": [],
        "author": "Elin Marsh",
    },
    {
        "minutes": 348,
        "headline": None,
        "body": (
            "Police in Kestrel Bridge say about **1,240 people** have now left their homes "
            "in the evacuation zone. Officers think about 30 people have chosen to stay, "
            "mostly in upstairs flats, and are checking on them by phone.\n\n"
            "At the leisure centre, volunteers have set out 200 camp beds and the council "
            "has brought in hot meals. Walt Pruett, 81, who left his house on Tanner’s "
            "Lane with his wife, said: “We’ve got tea and a chair. I just want to know "
            "what the house looks like.”"
        ),
        "key_event": False,
        "pinned": False,
        "images": [],
        "author": "Tomas Reyne",
    },
    {
        "minutes": 371,
        "headline": "Civil reserve called out",
        "body": (
            "The Vale Assembly has called out the **Vale Civil Reserve**, a volunteer "
            "service trained to help in emergencies, for the first time since it was set "
            "up. About 150 reservists are expected to be filling sandbags and helping at "
            "rest centres by the afternoon.\n\n"
            "The reserve’s coordinator, Marguerite Tenby, said the first teams were "
            "heading to Tarrow St Giles and Orrin Ferry, where the river is expected to "
            "peak later."
        ),
        "key_event": False,
        "pinned": False,
        "images": [],
        "author": "Elin Marsh",
    },
    {
        "minutes": 395,
        "headline": "River Harrow reaches record level at Tarrow St Giles",
        "body": (
            "The River Harrow at Tarrow St Giles has reached **5.82 metres**, the highest "
            "since records began at the gauge in 1951. The previous record, 5.41 metres, "
            "was set in the floods of 2009.\n\n"
            "Fenella Grice of the Waterways Authority said the river there would probably "
            "keep rising slowly for several more hours. “We are now beyond anything we "
            "have measured at this spot,” she said."
        ),
        "key_event": True,
        "pinned": False,
        "images": [
            {
                "alt": "Map of the River Harrow with gauge points marked from Kestrel "
                "Bridge down to Orrin Ferry",
                "caption": "River gauges along the Harrow. The Tarrow St Giles gauge has "
                "passed its 2009 record.",
                "credit": "Dateline graphic",
                "scene": "map",
            }
        ],
        "author": "Elin Marsh",
    },
    {
        "minutes": 418,
        "headline": None,
        "body": (
            "Valegrid says the number of customers without power peaked at about "
            "**23,100** late this morning. Crews have since reconnected some areas, and "
            "16,700 homes and businesses are still cut off, most of them in Sallowmere and "
            "Amberhithe. The two substations switched off earlier remain off."
        ),
        "key_event": False,
        "pinned": False,
        "images": [],
        "author": "Elin Marsh",
    },
    {
        "minutes": 442,
        "headline": None,
        "body": (
            "Harrow Valley Railway says the line between Kestrel Bridge and Orrin Ferry "
            "will stay closed until at least tomorrow afternoon. Part of an embankment "
            "near Amberhithe has been washed away and must be checked by engineers before "
            "trains can run.\n\n"
            "Trains on the Saltings branch to the coast are running normally."
        ),
        "key_event": False,
        "pinned": False,
        "images": [],
        "author": "Tomas Reyne",
    },
    {
        "minutes": 466,
        "headline": None,
        "body": (
            "The Vale Assembly has announced an **£8m emergency fund** for flooded "
            "households and businesses. Households whose homes have flooded will be able "
            "to claim an immediate grant of £500 through the council, with larger "
            "payments for repairs to follow.\n\n"
            "Details of how to apply are on the [Assembly’s recovery page]"
            "(https://example.org/vale-assembly/flood-recovery)."
        ),
        "key_event": False,
        "pinned": False,
        "images": [],
        "author": "Elin Marsh",
    },
    {
        "minutes": 493,
        "headline": "Orrin Ferry told to prepare to leave",
        "body": (
            "Residents of about **600 homes** in the low-lying parts of Orrin Ferry have "
            "been told to pack a bag and be ready to leave at short notice. The river here "
            "is expected to peak overnight, and the Waterways Authority says it could come "
            "over the embankment along Ferry Road.\n\n"
            "Cutler’s Bridge, the main crossing in the town, remains closed. Samir Dallow, "
            "who runs the hardware shop on Ferry Road, has sold out of sandbags twice "
            "today. “Everyone’s calm,” he told me. “But everyone’s watching the river.”"
        ),
        "key_event": False,
        "pinned": False,
        "images": [],
        "author": "Priya Castell",
    },
    {
        "minutes": 521,
        "headline": None,
        "body": (
            "At the community hall in Orrin Ferry, dozens of people have turned up to fill "
            "sandbags alongside the civil reserve. A local farmer has brought two trailer "
            "loads of sand, and the café next door is handing out rolls.\n\n"
            "The council says it has delivered 11,000 sandbags across the vale today."
        ),
        "key_event": False,
        "pinned": False,
        "images": [
            {
                "alt": "Volunteers in waterproof jackets fill sandbags in a car park",
                "caption": "Volunteers fill sandbags outside the community hall in Orrin Ferry.",
                "credit": "Sadie Brann/Northwind Press",
                "scene": "crowd",
            }
        ],
        "author": "Priya Castell",
    },
    {
        "minutes": 552,
        "headline": "Red warning downgraded to amber",
        "body": (
            "The NMS has **downgraded its red rain warning to amber**, saying the heaviest "
            "rain has moved away to the east. The amber warning stays in place until "
            "tomorrow morning.\n\n"
            "Dr Voss said the change applied to rainfall, not to rivers. “The flood risk "
            "on the lower Harrow is still very high tonight,” she said. “Please follow "
            "the advice of the Waterways Authority and the police.”"
        ),
        "key_event": True,
        "pinned": False,
        "images": [],
        "author": "Elin Marsh",
    },
    {
        "minutes": 590,
        "headline": None,
        "body": (
            "The Waterways Authority now expects the River Harrow at Orrin Ferry to peak "
            "between midnight and early morning, about 30cm below the top of the "
            "embankment along Ferry Road.\n\n"
            "Fenella Grice said there was “very little room for error” and that the "
            "severe flood warning for the town would stay in place overnight."
        ),
        "key_event": False,
        "pinned": False,
        "images": [],
        "author": "Priya Castell",
    },
    {
        "minutes": 634,
        "headline": None,
        "body": (
            "Some better news from Kestrel Bridge: the river here has started to fall, "
            "and police have reopened the V14 west of the town.\n\n"
            "Water still covers Wharf Row and the quay, and the evacuation order remains "
            "in force. Police said residents would not be allowed home tonight."
        ),
        "key_event": False,
        "pinned": False,
        "images": [],
        "author": "Tomas Reyne",
    },
    {
        "minutes": 688,
        "headline": None,
        "body": (
            "The leader of Harrow Vale council, Benedikt Orme, says the clean-up will take "
            "“months, not weeks” in the worst-hit streets of Amberhithe and Sallowmere. "
            "Council staff will start assessing damaged homes as soon as the water goes "
            "down, and skips will be provided free of charge.\n\n"
            "He also asked people not to drive to flooded areas to look: “Every car that "
            "comes to see the water is a car in the way of a fire engine.”"
        ),
        "key_event": False,
        "pinned": False,
        "images": [],
        "author": "Elin Marsh",
    },
    {
        "minutes": 745,
        "headline": "Night falls on a flooded Kestrel Bridge",
        "body": (
            "It is dark in Kestrel Bridge now. The street lights are off along the river, "
            "and the only light on Wharf Row comes from a police boat checking the empty "
            "houses.\n\n"
            "About 180 people are expected to sleep at the leisure centre tonight. Many "
            "others have gone to stay with family elsewhere in the vale."
        ),
        "key_event": False,
        "pinned": False,
        "images": [
            {
                "alt": "A police boat with a searchlight moves along a dark, flooded street",
                "caption": "A police patrol boat on Wharf Row in Kestrel Bridge after dark.",
                "credit": "Mara Quell/Northwind Press",
                "scene": "night",
            }
        ],
        "author": "Tomas Reyne",
    },
    {
        "minutes": 812,
        "headline": "Summary: where things stand tonight",
        "body": (
            "Storm Idris has caused the worst flooding in the Vale of Harrow in a "
            "generation. **One man has died** after his car was swept into the Sile near "
            "the village of Wendle Cross, and fire crews have rescued **417 people** from "
            "flooded homes and cars since midnight.\n\n"
            "About 1,240 people are still out of their homes in Kestrel Bridge, and the "
            "31 residents of Elmhurst House are being cared for in Tarrow St Giles. Some "
            "12,900 homes and businesses remain without power.\n\n"
            "The rain warning is now amber, but the River Harrow is still rising in the "
            "lower valley. Residents of Orrin Ferry are ready to leave if the river comes "
            "over the embankment overnight."
        ),
        "key_event": True,
        "pinned": False,
        "images": [],
        "author": "Elin Marsh",
    },
    {
        "minutes": 838,
        "headline": "We’re pausing our live coverage",
        "body": (
            "That’s where we will leave our live coverage for tonight. Thank you for "
            "following. Our reporters are staying in Orrin Ferry and Kestrel Bridge "
            "overnight, and the live blog will resume early tomorrow.\n\n"
            "If you need help, the emergency numbers are pinned at the top of this page."
        ),
        "key_event": False,
        "pinned": False,
        "images": [],
        "author": "Elin Marsh",
    },
]

CORRECTION_EXAMPLE: dict[str, Any] = {
    "index": 7,
    "note": (
        "This update wrongly said the Old Sile Bridge at Orrin Ferry had been closed. "
        "The bridge closed by police was Cutler’s Bridge. The update has been removed."
    ),
}
