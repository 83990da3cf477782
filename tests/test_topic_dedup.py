from monitor.pages import dedup
from monitor.pages.topic import TopicFilter


def test_topic_terms_match_whole_words_any_case_and_accents():
    topic = TopicFilter(["Cuba", "Cubans", "La Habana", "Díaz-Canel"])
    assert topic.matches("CUBA's economy")
    assert topic.matches(None, "talks in la   HABANA today")
    assert topic.matches("Diaz-Canel spoke")
    assert not topic.matches("An incubator for Cubanos")
    assert not topic.matches("", None)
    assert topic.matched_terms("Cuba and Cubans") == {"cuba", "cubans"}


def test_near_duplicate_found_and_distinct_story_not(seed_text):
    index = dedup.DedupIndex(0.8)
    index.add(1, dedup.signature(seed_text))
    edited = seed_text.replace("Thursday", "Friday") + "\nReporting by Dave Graham."
    assert index.find(dedup.signature(edited)) == 1
    other = "The Brazilian senate approved a pension reform bill on Tuesday after a long debate."
    assert index.find(dedup.signature(other * 5)) is None


def test_signature_round_trips_through_bytes(seed_text):
    sig = dedup.signature(seed_text)
    assert dedup.from_bytes(dedup.to_bytes(sig)).jaccard(sig) == 1.0


def test_text_hash_ignores_case_accents_and_spacing():
    same = dedup.text_hash("fernandez de cossio said")
    assert dedup.text_hash("Fernández  de Cossío said.") == same
    assert dedup.text_hash("a b c") != dedup.text_hash("a b d")
